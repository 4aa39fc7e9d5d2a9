"""A database that is down, read-only or fails at commit answers a clean 503, JSON for the API and a page otherwise."""

from __future__ import annotations

import socket
import sqlite3

import psycopg
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from stockpile.auth import services as auth_services
from stockpile.auth.models import Role
from stockpile.db import transaction
from stockpile.ops import migrate
from tests import factories
from tests.conftest import make_test_app
from tests.inventory.helpers import receive


def closed_port() -> int:
    """A loopback port nobody listens on: bound for a moment, then released."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def unreachable_app(tmp_path):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/stockpile?connect_timeout=2"
    return make_test_app(url, tmp_path)


def an_issue() -> dict[str, object]:
    """The JSON of an issue of one unit from fresh stock."""
    warehouse = factories.warehouse()
    movement = receive(factories.item(), warehouse, 50)
    return {"type": "issue", "lot_id": movement.lot_id, "warehouse_id": warehouse.id, "quantity": 1,
            "reason": "fault test"}


def assert_unavailable_json(response, code="database_unavailable") -> None:
    assert response.status_code == 503
    assert response.is_json
    body = response.json
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["code"] == code
    assert body["status"] == 503
    assert response.headers["Retry-After"]


def test_api_answers_503_json_when_the_database_is_unreachable(unreachable_app) -> None:
    client = unreachable_app.test_client()
    response = client.get("/api/v1/stock", headers={"Authorization": "Bearer sp_whatever"})
    assert_unavailable_json(response)
    assert "database is unavailable" in response.json["message"]


def test_booking_answers_503_json_when_the_database_is_unreachable(unreachable_app) -> None:
    client = unreachable_app.test_client()
    response = client.post("/api/v1/movements", headers={"Authorization": "Bearer sp_whatever"},
                           json={"type": "issue", "lot_id": 1, "warehouse_id": 1, "quantity": 1, "reason": "x"})
    assert_unavailable_json(response)


def test_pages_answer_a_503_page_when_the_database_is_unreachable(unreachable_app) -> None:
    client = unreachable_app.test_client()
    health = client.get("/health")
    assert health.status_code == 503
    assert health.mimetype == "text/html"
    assert "database is unavailable" in health.text
    # A signed-in browser: reading the user fails too, and the error page must not try again.
    with client.session_transaction() as cookie:
        cookie["_user_id"] = "some-session-token"
    page = client.get("/inventory/stock")
    assert page.status_code == 503
    assert "database is unavailable" in page.text


@pytest.fixture
def read_only_sqlite(tmp_path):
    """A migrated SQLite file with a logistics user and a lot in stock, then opened read-only."""
    path = tmp_path / "stock.sqlite"
    writable = make_test_app(f"sqlite:///{path}", tmp_path)
    migrate.upgrade(writable.config["DATABASE_URL"])
    with writable.app_context(), transaction():
        user = factories.user(Role.LOGISTICS)
        token = auth_services.create_token(user.email)
        booking = an_issue()
    writable.extensions["stockpile.engine"].dispose()
    app = make_test_app(f"sqlite:///file:{path}?mode=ro&uri=true", tmp_path)
    yield app, {"Authorization": f"Bearer {token}"}, booking
    app.extensions["stockpile.engine"].dispose()


def test_read_only_database_refuses_writes_with_503_and_still_reads(read_only_sqlite) -> None:
    app, headers, booking = read_only_sqlite
    client = app.test_client()
    refused = client.post("/api/v1/movements", headers=headers, json=booking)
    assert_unavailable_json(refused, "database_read_only")
    assert "read-only" in refused.json["message"]
    assert client.get("/api/v1/stock", headers=headers).status_code == 200


def test_a_commit_that_fails_on_a_lost_connection_is_a_503_not_a_500(app, client, api_as, db, monkeypatch) -> None:
    headers = api_as("logistics")
    booking = an_issue()
    # A failed commit (after the view) reaches Flask's last-resort handler, which tests re-raise unless told not to.
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def lost(_self):
        raise sa_exc.OperationalError("COMMIT", {}, psycopg.OperationalError("server closed the connection"))

    monkeypatch.setattr(Session, "commit", lost)
    response = client.post("/api/v1/movements", headers=headers, json=booking)
    assert_unavailable_json(response)


def test_postgresql_read_only_error_is_named_read_only(client, api_as, db, monkeypatch) -> None:
    headers = api_as("logistics")
    booking = an_issue()

    def read_only(**_kwargs):
        raise sa_exc.InternalError("INSERT", {}, psycopg.errors.ReadOnlySqlTransaction(
            "cannot execute INSERT in a read-only transaction"))

    monkeypatch.setattr("stockpile.inventory.services.issue", read_only)
    response = client.post("/api/v1/movements", headers=headers, json=booking)
    assert_unavailable_json(response, "database_read_only")


def test_other_database_errors_remain_500(client, api_as, db, monkeypatch) -> None:
    headers = api_as("logistics")
    booking = an_issue()

    def bug(**_kwargs):
        raise sa_exc.ProgrammingError("SELECT", {}, psycopg.errors.UndefinedColumn("column x does not exist"))

    monkeypatch.setattr("stockpile.inventory.services.issue", bug)
    response = client.post("/api/v1/movements", headers=headers, json=booking)
    assert response.status_code == 500


def test_a_full_disk_is_named_and_is_a_503(client, api_as, db, monkeypatch) -> None:
    headers = api_as("logistics")
    booking = an_issue()

    def full(**_kwargs):
        raise sa_exc.OperationalError("INSERT", {}, sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr("stockpile.inventory.services.issue", full)
    response = client.post("/api/v1/movements", headers=headers, json=booking)
    assert_unavailable_json(response, "database_full")
    assert "run out of space" in response.json["message"]
