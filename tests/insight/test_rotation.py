"""Rotation advice, worked through: a lot in Utrecht that will expire unused, Amsterdam asking 300 a day."""

from __future__ import annotations

import math

import pytest

from stockpile.forecast import runner
from stockpile.forecast.models import RunTrigger
from stockpile.forecast.outlook import projected_waste_by_lot
from stockpile.inventory.models import MovementType, StockMovement
from stockpile.requests import services as request_services
from tests import factories
from tests.forecast.conftest import issue_on
from tests.inventory.helpers import receive
from tests.requests.helpers import submitted


@pytest.fixture
def old_lot(db, users):
    """100 a day nationally; a lot of 3,000 whose last pick day is in 15 days in Utrecht (VR09); Amsterdam (VR13)
    asked 8,400 today (refused for scarcity: demand, nothing reserved): 300 a day over 28 days."""
    utrecht = factories.warehouse(code="WH-UTR", region=factories.region("VR09"))
    amsterdam = factories.warehouse(code="WH-AMS", region=factories.region("VR13"))
    item = factories.item(code="GOWN-ROT", lead_time_days=14, safety_stock_days=7)
    fresh = receive(item, utrecht, 2100 + 1000, expiry_days=720).lot
    for days_ago in range(1, 22):
        issue_on(db, fresh, utrecht, 100, days_ago)
    old = receive(item, utrecht, 3000, expiry_days=30 + 14, lot_number="L-OLD").lot
    runner.run_forecast(RunTrigger.CLI)
    request = submitted(users["other_region"], factories.process(code="FIRE"), [(item, 8400)])
    request_services.reject(request, users["continuity"], "Not enough in stock", for_scarcity=True)
    db.flush()  # the rejection leaves its last changes to the commit; the pages read through another session
    return old, utrecht, amsterdam


def test_the_advice_sends_the_units_amsterdam_uses_in_time(db, old_lot, client, api_as) -> None:
    old, _utrecht, _amsterdam = old_lot
    waste = projected_waste_by_lot([old.item_id])[old.id]
    assert 1000 < waste.waste < 3000  # about 15 days of 100 a day are used; the rest would expire
    [advice] = client.get("/api/v1/insight/rotation", headers=api_as("continuity")).json
    assert (advice["lot_number"], advice["from_warehouse_code"], advice["to_warehouse_code"]) == (
        "L-OLD", "WH-UTR", "WH-AMS")
    assert (advice["to_region_code"], advice["process_code"]) == ("VR13", "FIRE")
    assert advice["burn_per_day"] == pytest.approx(300.0)
    days_left = (waste.last_pick_day - old.received_date).days + 1
    assert advice["quantity"] == min(3000, math.floor(300 * days_left)) == 3000
    assert advice["units_saved"] == math.floor(waste.waste)  # all the projected waste


def test_taking_the_advice_books_the_transfer_and_the_advice_disappears(db, old_lot, as_role, users) -> None:
    old, utrecht, amsterdam = old_lot
    client = as_role("logistics")
    page = client.get("/insight/rotation")
    assert "L-OLD" in page.text
    assert "WH-AMS (VR13)" in page.text
    done = client.post(f"/insight/rotation/{old.id}/{utrecht.id}", follow_redirects=True)
    assert "Transfer booked: 3,000 units" in done.text
    moved = db.query(StockMovement).filter_by(lot_id=old.id, type=MovementType.TRANSFER).one()
    assert (moved.from_warehouse_id, moved.to_warehouse_id, moved.quantity) == (utrecht.id, amsterdam.id, 3000)
    assert "L-OLD" not in client.get("/insight/rotation").text
    again = client.post(f"/insight/rotation/{old.id}/{utrecht.id}", follow_redirects=True)
    assert "no rotation advice for this lot in this warehouse any more" in again.text


def test_the_api_takes_advice_and_refuses_it_twice(db, old_lot, client, api_as) -> None:
    old, utrecht, _amsterdam = old_lot
    headers = api_as("logistics")
    taken = client.post("/api/v1/insight/rotation/take", headers=headers,
                        json={"lot_id": old.id, "from_warehouse_id": utrecht.id})
    assert taken.status_code == 201, taken.json
    assert taken.json["quantity"] == 3000
    assert client.get("/api/v1/insight/rotation", headers=headers).json == []
    twice = client.post("/api/v1/insight/rotation/take", headers=headers,
                        json={"lot_id": old.id, "from_warehouse_id": utrecht.id})
    assert twice.status_code == 409


def test_continuity_reads_the_advice_but_books_no_transfer(db, old_lot, as_role) -> None:
    old, utrecht, _amsterdam = old_lot
    page = as_role("continuity").get("/insight/rotation")
    assert "L-OLD" in page.text
    assert "Book the transfer" not in page.text
    assert as_role("continuity").post(f"/insight/rotation/{old.id}/{utrecht.id}").status_code == 403
