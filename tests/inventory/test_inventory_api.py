"""The inventory through the JSON API: every verb, the refusals with their numbers, and who may do what."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from stockpile.db import local_today
from stockpile.inventory.models import Lot, QualityStatus, StockBalance, StockMovement
from tests import factories
from tests.inventory.helpers import receive


def counts(db) -> tuple[int, int, int]:
    """Movements, lots and the sum of all balances: what a refused booking must leave alone."""
    return (db.scalar(select(func.count()).select_from(StockMovement)),
            db.scalar(select(func.count()).select_from(Lot)),
            db.scalar(select(func.coalesce(func.sum(StockBalance.on_hand), 0))))


def post(client, headers, body):
    return client.post("/api/v1/movements", headers=headers, json=body)


def test_receipt_of_a_new_lot_answers_201_with_the_lot(client, api_as, db, stock) -> None:
    item, zeist = stock.item, stock.zeist
    expiry = (local_today() + dt.timedelta(days=700)).isoformat()
    response = post(client, api_as("logistics"), {
        "type": "receipt", "item_id": item.id, "lot_number": "L-9000", "supplier": "Acme", "expiry_date": expiry,
        "manufacture_date": local_today().isoformat(), "warehouse_id": zeist.id, "quantity": 40,
        "reason": "delivery", "quality_status": "released"})
    assert response.status_code == 201, response.json
    lot = db.get(Lot, response.json["lot_id"])
    assert (lot.lot_number, lot.quality_status) == ("L-9000", QualityStatus.RELEASED)
    again = post(client, api_as("admin"), {"type": "receipt", "lot_id": lot.id, "warehouse_id": zeist.id,
                                           "quantity": 2, "reason": "late box"})
    assert again.status_code == 201
    assert again.json["lot_id"] == lot.id


@pytest.mark.parametrize(("kind", "extra", "zeist_after", "tilburg_after"), [
    ("issue", {}, 380, 0),
    ("write_off", {}, 380, 0),
    ("transfer", {"to_warehouse_id": "TILBURG"}, 380, 120),
    ("adjustment", {"direction": "decrease"}, 380, 0),
    ("adjustment", {"direction": "increase"}, 620, 0),
])
def test_each_kind_of_movement_books_and_changes_the_balances(client, api_as, db, stock, kind, extra,
                                                               zeist_after, tilburg_after) -> None:
    zeist, tilburg, lot = stock.zeist, stock.tilburg, stock.lot
    extra = {k: (tilburg.id if v == "TILBURG" else v) for k, v in extra.items()}
    response = post(client, api_as("logistics"), {"type": kind, "lot_id": lot.id, "warehouse_id": zeist.id,
                                                  "quantity": 120, "reason": "test", **extra})
    assert response.status_code == 201, response.json
    assert response.json["type"] == kind
    assert db.get(StockBalance, (lot.id, zeist.id), populate_existing=True).on_hand == zeist_after
    tilburg_row = db.get(StockBalance, (lot.id, tilburg.id), populate_existing=True)
    assert (tilburg_row.on_hand if tilburg_row else 0) == tilburg_after
    read = client.get(f"/api/v1/movements/{response.json['id']}", headers=api_as("continuity"))
    assert read.json == response.json


def test_issuing_more_than_is_free_answers_409_with_the_numbers(client, api_as, db, stock) -> None:
    zeist, lot = stock.zeist, stock.lot
    post(client, api_as("logistics"), {"type": "issue", "lot_id": lot.id, "warehouse_id": zeist.id,
                                       "quantity": 380, "reason": "VR09"})
    before = counts(db)
    response = post(client, api_as("logistics"), {"type": "issue", "lot_id": lot.id, "warehouse_id": zeist.id,
                                                  "quantity": 500, "reason": "VR09"})
    assert response.status_code == 409
    assert response.json["message"] == "Only 120 of 500 units free in lot L-2291 at WH-ZEIST."
    assert response.json["errors"] == {"quantity": ["Only 120 units free."]}
    assert counts(db) == before


@pytest.mark.parametrize("status", [QualityStatus.QUARANTINE, QualityStatus.BLOCKED, QualityStatus.RECALLED,
                                    QualityStatus.EXPIRED])
def test_booking_on_an_unusable_lot_answers_409(client, api_as, db, status) -> None:
    item, zeist, tilburg = factories.item(), factories.warehouse(), factories.warehouse()
    lot = receive(item, zeist, 50, status=QualityStatus.QUARANTINE if status is QualityStatus.QUARANTINE
                  else QualityStatus.BLOCKED).lot
    if status in (QualityStatus.RECALLED, QualityStatus.EXPIRED):
        lot.quality_status = status
        db.flush()
    before = counts(db)
    for body in ({"type": "issue"}, {"type": "transfer", "to_warehouse_id": tilburg.id}):
        response = post(client, api_as("logistics"), {**body, "lot_id": lot.id, "warehouse_id": zeist.id,
                                                      "quantity": 1, "reason": "r"})
        assert response.status_code == 409
        assert f"is {status.value}" in response.json["message"]
    assert counts(db) == before


def test_a_lot_past_its_expiry_date_cannot_be_issued(client, api_as, db, stock) -> None:
    zeist, lot = stock.zeist, stock.lot
    lot.expiry_date = local_today() - dt.timedelta(days=1)
    db.flush()
    response = post(client, api_as("logistics"), {"type": "issue", "lot_id": lot.id, "warehouse_id": zeist.id,
                                                  "quantity": 1, "reason": "r"})
    assert response.status_code == 409
    assert "expired on" in response.json["message"]


BAD_INPUT = [
    ({"quantity": 0}, "quantity"),
    ({"quantity": -5}, "quantity"),
    ({"quantity": 2.5}, "quantity"),
    ({"quantity": "10"}, "quantity"),
    ({"colour": "red"}, "colour"),
    ({"type": "gift"}, "type"),
    ({"lot_id": None}, "lot_id"),
    ({"reason": ""}, "reason"),
    ({"to_warehouse_id": "SAME", "type": "transfer"}, "to_warehouse_id"),
    ({"type": "transfer"}, "to_warehouse_id"),
    ({"type": "adjustment"}, "direction"),
    ({"type": "adjustment", "direction": "sideways"}, "direction"),
    ({"direction": "increase"}, "direction"),
    ({"warehouse_id": 999_999}, "warehouse_id"),
    ({"warehouse_id": "INACTIVE"}, "warehouse_id"),
]


@pytest.mark.parametrize(("change", "field"), BAD_INPUT)
def test_bad_input_answers_422_naming_the_field_and_writes_nothing(client, api_as, db, stock, change,
                                                                     field) -> None:
    zeist, lot = stock.zeist, stock.lot
    closed = factories.warehouse(active=False)
    values = {"SAME": zeist.id, "INACTIVE": closed.id}
    body = {"type": "issue", "lot_id": lot.id, "warehouse_id": zeist.id, "quantity": 1, "reason": "r"}
    body.update({k: values.get(v, v) if isinstance(v, str) else v for k, v in change.items()})
    body = {k: v for k, v in body.items() if v is not None}
    before = counts(db)
    response = post(client, api_as("logistics"), body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert counts(db) == before


@pytest.mark.parametrize(("change", "field"), [
    ({"expiry_date": "MANUFACTURE-1"}, "expiry_date"),
    ({"item_id": 999_999}, "item_id"),
    ({"item_id": "INACTIVE"}, "item_id"),
    ({"supplier": None}, "supplier"),
    ({"quality_status": "recalled"}, "quality_status"),
    ({"expiry_date": "yesterday"}, "expiry_date"),
])
def test_bad_receipts_answer_422_and_create_no_lot(client, api_as, db, stock, change, field) -> None:
    item, zeist = stock.item, stock.zeist
    manufactured = local_today() - dt.timedelta(days=10)
    body = {"type": "receipt", "item_id": item.id, "lot_number": "L-NEW", "supplier": "Acme",
            "expiry_date": (local_today() + dt.timedelta(days=300)).isoformat(),
            "manufacture_date": manufactured.isoformat(), "warehouse_id": zeist.id, "quantity": 5, "reason": "r"}
    values = {"MANUFACTURE-1": (manufactured - dt.timedelta(days=1)).isoformat(),
              "INACTIVE": factories.item(active=False).id}
    body.update(change)
    body = {k: values.get(v, v) if isinstance(v, str) else v for k, v in body.items() if v is not None}
    before = counts(db)
    response = post(client, api_as("logistics"), body)
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]
    assert counts(db) == before


def test_reversal_and_the_refused_reversal_of_a_reversal(client, api_as, db, stock) -> None:
    zeist, tilburg, lot = stock.zeist, stock.tilburg, stock.lot
    moved = post(client, api_as("logistics"), {"type": "transfer", "lot_id": lot.id, "warehouse_id": zeist.id,
                                               "to_warehouse_id": tilburg.id, "quantity": 100, "reason": "r"})
    reversal = client.post(f"/api/v1/movements/{moved.json['id']}/reverse", headers=api_as("logistics"),
                           json={"reason": "wrong warehouse"})
    assert reversal.status_code == 201
    assert reversal.json["reverses_id"] == moved.json["id"]
    before = counts(db)
    again = client.post(f"/api/v1/movements/{reversal.json['id']}/reverse", headers=api_as("logistics"),
                        json={"reason": "undo the undo"})
    assert again.status_code == 409
    assert "itself a reversal" in again.json["message"]
    assert counts(db) == before
    assert client.post("/api/v1/movements/999999/reverse", headers=api_as("logistics"),
                       json={"reason": "x"}).status_code == 404


def test_idempotency_key_books_once_through_the_api(client, api_as, db, stock) -> None:
    zeist, lot = stock.zeist, stock.lot
    body = {"type": "issue", "lot_id": lot.id, "warehouse_id": zeist.id, "quantity": 10, "reason": "r",
            "idempotency_key": "order-17"}
    first, second = post(client, api_as("logistics"), body), post(client, api_as("logistics"), body)
    assert first.json["id"] == second.json["id"]
    assert db.get(StockBalance, (lot.id, zeist.id), populate_existing=True).on_hand == 490


def test_lots_list_filters_and_one_lot_shows_its_balances(client, api_as, db, stock) -> None:
    item, zeist, tilburg, lot = stock.item, stock.zeist, stock.tilburg, stock.lot
    receive(item, tilburg, 5, status=QualityStatus.QUARANTINE)
    listed = client.get(f"/api/v1/lots?item_id={item.id}&status=released", headers=api_as("continuity"))
    assert listed.status_code == 200, listed.json
    assert [row["id"] for row in listed.json] == [lot.id]
    assert json.loads(listed.headers["X-Pagination"])["total"] == 1
    by_warehouse = client.get(f"/api/v1/lots?warehouse_id={tilburg.id}", headers=api_as("continuity"))
    assert len(by_warehouse.json) == 1
    one = client.get(f"/api/v1/lots/{lot.id}", headers=api_as("continuity"))
    assert one.json["balances"] == [{"warehouse_id": zeist.id, "warehouse_code": "WH-ZEIST", "on_hand": 500,
                                     "reserved": 0, "free": 500}]
    assert client.get("/api/v1/lots/999999", headers=api_as("admin")).status_code == 404


def test_lot_status_change_and_the_refused_transition(client, api_as, db, stock) -> None:
    lot = stock.lot
    blocked = client.post(f"/api/v1/lots/{lot.id}/status", headers=api_as("logistics"),
                          json={"status": "recalled", "reason": "supplier recall"})
    assert blocked.status_code == 200
    assert blocked.json["quality_status"] == "recalled"
    refused = client.post(f"/api/v1/lots/{lot.id}/status", headers=api_as("logistics"),
                          json={"status": "released", "reason": "oops"})
    assert refused.status_code == 409
    assert refused.json["code"] == "invalid_transition"
    bad = client.post(f"/api/v1/lots/{lot.id}/status", headers=api_as("logistics"), json={"status": "fine"})
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"status", "reason"}


def test_movement_list_filters_by_type_warehouse_and_days(client, api_as, db, stock) -> None:
    zeist, tilburg, lot = stock.zeist, stock.tilburg, stock.lot
    post(client, api_as("logistics"), {"type": "transfer", "lot_id": lot.id, "warehouse_id": zeist.id,
                                       "to_warehouse_id": tilburg.id, "quantity": 1, "reason": "r"})
    today = local_today().isoformat()
    listed = client.get(f"/api/v1/movements?warehouse_id={tilburg.id}&type=transfer&since={today}&until={today}",
                        headers=api_as("continuity"))
    assert [row["type"] for row in listed.json] == ["transfer"]
    tomorrow = (local_today() + dt.timedelta(days=1)).isoformat()
    assert client.get(f"/api/v1/movements?lot_id={lot.id}&since={tomorrow}", headers=api_as("admin")).json == []


def test_stock_overview_and_picking_proposal(client, api_as, db, stock) -> None:
    item, zeist, tilburg, lot = stock.item, stock.zeist, stock.tilburg, stock.lot
    early = receive(item, tilburg, 30, expiry_days=100).lot
    receive(item, zeist, 500, expiry_days=20)  # inside the 30-day minimum shelf life
    overview = client.get("/api/v1/stock?page_size=500", headers=api_as("continuity"))
    [row] = [r for r in overview.json if r["item_id"] == item.id]
    assert (row["on_hand"], row["usable"], row["free"]) == (1030, 1030, 1030)
    proposal = client.get(f"/api/v1/stock/picking-proposal?item_id={item.id}&quantity=600",
                          headers=api_as("logistics"))
    assert proposal.status_code == 200
    assert [(line["lot_id"], line["quantity"]) for line in proposal.json["lines"]] == [(early.id, 30), (lot.id, 500)]
    assert (proposal.json["shortfall"], proposal.json["min_shelf_life_days"]) == (70, 30)
    unknown = client.get("/api/v1/stock/picking-proposal?item_id=999999&quantity=1", headers=api_as("logistics"))
    assert unknown.status_code == 422
    assert "item_id" in unknown.json["errors"]


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/lots"), ("get", "/api/v1/lots/1"), ("post", "/api/v1/lots/1/status"),
    ("get", "/api/v1/movements"), ("post", "/api/v1/movements"), ("get", "/api/v1/movements/1"),
    ("post", "/api/v1/movements/1/reverse"), ("get", "/api/v1/stock"),
    ("get", "/api/v1/stock/picking-proposal?item_id=1&quantity=1"),
])
def test_region_users_get_403_on_every_inventory_endpoint(client, api_as, method, path) -> None:
    response = getattr(client, method)(path, headers=api_as("region"), json={} if method == "post" else None)
    assert response.status_code == 403
    assert response.json["code"] == "forbidden"


def test_continuity_reads_but_cannot_book(client, api_as, stock) -> None:
    zeist, lot = stock.zeist, stock.lot
    response = post(client, api_as("continuity"), {"type": "issue", "lot_id": lot.id, "warehouse_id": zeist.id,
                                                   "quantity": 1, "reason": "r"})
    assert response.status_code == 403


def test_openapi_documents_the_inventory_answers(client) -> None:
    spec = client.get("/api/v1/openapi.json").json
    post_movement = spec["paths"]["/api/v1/movements"]["post"]["responses"]
    assert {"201", "409", "422"} <= set(post_movement)
    assert "/api/v1/stock/picking-proposal" in spec["paths"]
    assert "MovementIn" in spec["components"]["schemas"]
