"""Fixtures: a migrated database per backend, a rolled-back transaction per test, clients and sign-ins."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy.orm import Session, sessionmaker

from stockpile import create_app
from stockpile.auth import services as auth_services
from stockpile.auth.models import Role, User
from stockpile.db import make_engine
from stockpile.ops import migrate
from tests import factories
from tests.databases import backends, fresh_database
from tests.stock import Stock, arrange_stock

TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key-not-for-production",
    "WTF_CSRF_ENABLED": False,
    # Fast hashing keeps the suite quick; production uses scrypt.
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
}


class IsolatedClient(FlaskClient):
    """A test client whose requests get their own app context, as in production.

    The test itself holds an app context (for factories); without this, requests would share its `g`
    and Flask-Login's cached user would survive from one request to the next.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        # Buffered: a streamed body (a file download) is read inside the request's own context, as a server does.
        kwargs.setdefault("buffered", True)

        def run() -> Any:
            _cv_app.set(None)  # type: ignore[arg-type]
            return FlaskClient.open(self, *args, **kwargs)

        return contextvars.copy_context().run(run)


def make_test_app(url: str, tmp_dir: Path, **overrides: Any) -> Flask:
    """An app on a given database, its instance folder in a temporary directory."""
    app = create_app({**TEST_CONFIG, "DATABASE_URL": url, **overrides})
    app.instance_path = str(tmp_dir)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="session", params=backends())
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head, shared by the tests of one backend."""
    with fresh_database(request.param, tmp_path_factory.mktemp("db")) as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def base_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return make_test_app(database_url, tmp_path_factory.mktemp("instance"))


@pytest.fixture
def app(base_app: Flask) -> Iterator[Flask]:
    """The app, its session joined to an outer transaction that is rolled back after the test."""
    engine = make_engine(base_app.config["DATABASE_URL"])
    connection = engine.connect()
    outer = connection.begin()
    original = base_app.extensions["stockpile.sessionmaker"]
    base_app.extensions["stockpile.sessionmaker"] = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    try:
        with base_app.app_context():
            yield base_app
    finally:
        base_app.extensions["stockpile.sessionmaker"] = original
        outer.rollback()
        connection.close()
        engine.dispose()


@pytest.fixture
def db(app: Flask) -> Session:
    """The test's session."""
    from stockpile.db import session

    return session()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def stock(db: Session) -> Stock:
    """The small stockpile most inventory and request tests start from (tests/stock.py)."""
    return arrange_stock()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def users(db: Session) -> dict[str, User]:
    """One user per role (two regions), flushed, not committed."""
    return {
        "admin": factories.user(Role.ADMIN),
        "continuity": factories.user(Role.CONTINUITY),
        "logistics": factories.user(Role.LOGISTICS),
        "region": factories.user(Role.REGION, region_code="VR09"),
        "other_region": factories.user(Role.REGION, region_code="VR13"),
    }


def sign_in(client: FlaskClient, user: User) -> FlaskClient:
    """Sign a test client in as a user without the login form (the form has tests of its own)."""
    with client.session_transaction() as sess:
        sess["_user_id"] = user.session_token
        sess["_fresh"] = True
    return client


@pytest.fixture
def as_role(app: Flask, users: dict[str, User]) -> Any:
    """as_role('logistics') gives a client signed in with that role."""

    def make(role: str) -> FlaskClient:
        return sign_in(app.test_client(), users[role])

    return make


@pytest.fixture
def api_as(users: dict[str, User]) -> Any:
    """api_as('admin') gives headers with a bearer token for that role's user."""

    def make(role: str) -> dict[str, str]:
        token = auth_services.create_token(users[role].email)
        return {"Authorization": f"Bearer {token}"}

    return make
