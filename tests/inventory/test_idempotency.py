"""Idempotency keys as the IETF draft and Stripe have them: per user, with a fingerprint of the body."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, text

from stockpile import create_app
from stockpile.db import session, transaction
from stockpile.errors import Conflict, FieldErrors
from stockpile.inventory import services
from stockpile.inventory.models import MovementType, StockMovement
from stockpile.ops import migrate
from tests import factories
from tests.databases import backends, fresh_database
from tests.inventory.helpers import receive


@pytest.fixture
def lot(db):
    warehouse = factories.warehouse()
    return receive(factories.item(), warehouse, 500).lot, warehouse


def issue_body(lot, warehouse, quantity=10, key="order-17"):
    return {"type": "issue", "lot_id": lot.id, "warehouse_id": warehouse.id, "quantity": quantity, "reason": "r",
            "idempotency_key": key}


def issues(db):
    return db.scalar(select(func.count()).select_from(StockMovement).where(StockMovement.type == MovementType.ISSUE))


def test_the_same_key_and_body_from_one_user_books_once(client, api_as, db, lot) -> None:
    headers = api_as("logistics")
    first = client.post("/api/v1/movements", headers=headers, json=issue_body(*lot))
    again = client.post("/api/v1/movements", headers=headers, json=issue_body(*lot))
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json["id"] == again.json["id"]
    assert issues(db) == 1


def test_the_same_key_with_another_body_is_a_422_naming_what_differs(client, api_as, db, lot) -> None:
    headers = api_as("logistics")
    client.post("/api/v1/movements", headers=headers, json=issue_body(*lot, quantity=1))
    response = client.post("/api/v1/movements", headers=headers, json=issue_body(*lot, quantity=77))
    assert response.status_code == 422
    assert "quantity differ" in response.json["message"]
    assert set(response.json["errors"]) == {"idempotency_key", "quantity"}
    assert issues(db) == 1


def test_a_key_used_for_another_kind_of_booking_names_the_type(db, lot) -> None:
    the_lot, warehouse = lot
    services.issue(lot_id=the_lot.id, warehouse_id=warehouse.id, quantity=10, reason="r", user_id=None,
                   idempotency_key="abc-1")
    with pytest.raises(FieldErrors, match="quantity, type differ"):
        services.write_off(lot_id=the_lot.id, warehouse_id=warehouse.id, quantity=1, reason="r", user_id=None,
                           idempotency_key="abc-1")


def test_keys_are_scoped_per_user(client, api_as, db, users, lot) -> None:
    """Another user's key of the same text is another key: it never answers with someone else's booking."""
    mine = client.post("/api/v1/movements", headers=api_as("logistics"), json=issue_body(*lot, quantity=1))
    theirs = client.post("/api/v1/movements", headers=api_as("admin"), json=issue_body(*lot, quantity=77))
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json["id"] != theirs.json["id"]
    assert (theirs.json["quantity"], theirs.json["user_id"]) == (77, users["admin"].id)
    assert issues(db) == 2


@pytest.mark.parametrize("kind", backends())
def test_two_first_uses_at_once_book_once_and_the_other_is_told(kind, tmp_path) -> None:
    """PostgreSQL: the second waits on the key, then gets 409. SQLite queues it behind the first: it replays."""
    with fresh_database(kind, tmp_path) as url:
        migrate.upgrade(url)
        app = create_app({"TESTING": True, "SECRET_KEY": "keys", "DATABASE_URL": url})
        try:
            with app.app_context(), transaction():
                warehouse = factories.warehouse()
                lot_id, warehouse_id = receive(factories.item(), warehouse, 50).lot.id, warehouse.id
            booked, outcomes, release = threading.Event(), {}, threading.Event()

            def book(name: str, hold: bool) -> None:
                with app.app_context():
                    try:
                        with transaction():
                            movement = services.issue(lot_id=lot_id, warehouse_id=warehouse_id, quantity=1,
                                                      reason="r", user_id=None, idempotency_key="same-moment")
                            if hold:
                                booked.set()
                                release.wait(30)
                        outcomes[name] = movement.id
                    except Conflict as error:
                        outcomes[name] = error.status

            first = threading.Thread(target=book, args=("first", True))
            first.start()
            booked.wait(30)
            second = threading.Thread(target=book, args=("second", False))
            second.start()
            _wait_until_blocked(app, kind)
            release.set()
            first.join()
            second.join()
            with app.app_context(), transaction():
                count = session().scalar(select(func.count()).select_from(StockMovement)
                                         .where(StockMovement.type == MovementType.ISSUE))
        finally:
            app.extensions["stockpile.engine"].dispose()
    assert count == 1
    assert outcomes["second"] == (409 if kind == "postgresql" else outcomes["first"])


def _wait_until_blocked(app, kind: str) -> None:
    """Until the second booking waits for the first (PostgreSQL shows it; SQLite's lock wait cannot be seen)."""
    if kind != "postgresql":
        time.sleep(0.5)
        return
    with app.app_context():
        for _ in range(300):
            waiting = session().scalar(text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                            "AND datname = current_database()"))
            session().rollback()
            if waiting:
                return
            time.sleep(0.05)
    raise AssertionError("the second booking never waited for the first")
