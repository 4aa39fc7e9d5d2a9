"""SQLite without stalls: reading requests never wait for a writer; a writer that waits too long gets a clean 503.

Each test holds SQLite's write lock from a second connection (as a long import or booking would) and sends
requests to an app on the same committed database file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask

from stockpile import create_app
from stockpile.auth import services as auth_services
from stockpile.auth.models import Role
from stockpile.config import DEFAULTS
from stockpile.db import transaction
from stockpile.ops import migrate
from tests import factories
from tests.databases import fresh_database


@pytest.fixture
def sqlite_app(tmp_path) -> Iterator[tuple[Flask, str, dict[str, str]]]:
    """An app on a committed SQLite file with a logistics user and token; the busy timeout is short for the test."""
    with fresh_database("sqlite", tmp_path) as url:
        migrate.upgrade(url)
        app = create_app({"TESTING": True, "SECRET_KEY": "locking", "DATABASE_URL": url, "WTF_CSRF_ENABLED": False,
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SQLITE_BUSY_TIMEOUT_SECONDS": 0.2})
        try:
            with app.app_context(), transaction():
                user = factories.user(Role.LOGISTICS)
                token = auth_services.create_token(user.email)
                session_token = user.session_token
            yield app, url.removeprefix("sqlite:///"), {"Authorization": f"Bearer {token}", "session": session_token}
        finally:
            app.extensions["stockpile.engine"].dispose()


@contextmanager
def write_lock_held(path: str) -> Iterator[None]:
    """Another process's writing transaction, holding SQLite's write lock until the block ends."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("UPDATE users SET name = name")
        yield
        connection.execute("ROLLBACK")
    finally:
        connection.close()


def browser(app: Flask, session_token: str):
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = session_token
        sess["_fresh"] = True
    return client


def test_pages_and_api_reads_answer_while_a_writer_holds_the_lock(sqlite_app) -> None:
    app, path, auth = sqlite_app
    client, pages = app.test_client(), browser(app, auth["session"])
    with write_lock_held(path):
        for url in ("/api/v1/items", "/api/v1/movements", "/api/v1/lots"):
            response = client.get(url, headers={"Authorization": auth["Authorization"]})
            assert response.status_code == 200, (url, response.json)
        for url in ("/", "/inventory/stock", "/inventory/ledger", "/inventory/ledger.csv"):
            assert pages.get(url).status_code == 200, url


def test_a_writer_that_waits_past_the_busy_timeout_gets_a_clean_503(sqlite_app) -> None:
    app, path, auth = sqlite_app
    client = app.test_client()
    body = {"code": "GLOVE-X", "name": "Gloves", "category": "hand", "unit_of_issue": "piece"}
    with write_lock_held(path):
        response = client.post("/api/v1/items", headers={"Authorization": auth["Authorization"]}, json=body)
        page = browser(app, auth["session"]).post("/logout")
    assert response.status_code == 503
    assert response.json["code"] == "database_busy"
    assert response.headers["Retry-After"] == "5"
    assert page.status_code == 503
    assert "The database is busy with other changes." in page.text


def test_the_default_busy_timeout_is_well_below_the_workers_30_seconds() -> None:
    assert DEFAULTS["SQLITE_BUSY_TIMEOUT_SECONDS"] <= 10
