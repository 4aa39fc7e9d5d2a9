"""New and worsened flags reach the continuity section and the regions using the item; a failed run the
administrators; an overdue delivery logistics, once."""

from __future__ import annotations

import datetime as dt

import pytest

from stockpile.alerts.models import AlertKind, Notification
from stockpile.db import local_today, utcnow
from stockpile.forecast import runner, runs
from stockpile.forecast.models import DeliveryStatus, ExpectedDelivery, FlagLevel, RunTrigger
from stockpile.forecast.outlook import item_outlook
from stockpile.inventory import services as inventory
from stockpile.ops.scheduler import overdue_deliveries_job, reconcile_flags_job
from tests import factories
from tests.forecast.conftest import issue_on
from tests.inventory.helpers import receive
from tests.requests.helpers import submitted


def notices(db, user, kind):
    return db.query(Notification).filter_by(user_id=user.id, kind=kind).order_by(Notification.id).all()


@pytest.fixture
def gowns(db, users):
    """Asked ~100 a day for three weeks with 1,800 left: a warning, not yet critical. VR09 asked for it lately."""
    wh = factories.warehouse()
    item = factories.item(code="GOWN-A", name="Isolation gown", lead_time_days=14, safety_stock_days=7)
    lot = receive(item, wh, 1800 + 2100).lot
    for days_ago in range(1, 22):
        issue_on(db, lot, wh, 100, days_ago)
    submitted(users["region"], factories.process(), [(item, 10)])
    item.lot, item.warehouse = lot, wh
    return item


def test_a_new_flag_reaches_continuity_with_a_link_and_the_using_region_without(db, users, gowns) -> None:
    runner.run_forecast(RunTrigger.CLI)
    level = item_outlook(gowns.id).level
    assert level is FlagLevel.WARNING
    [seen] = notices(db, users["continuity"], AlertKind.FLAG)
    assert seen.subject == f"item:{gowns.id}"
    assert seen.link == f"/forecast/items/{gowns.id}"
    assert seen.params["level"] == level.value
    [told] = notices(db, users["region"], AlertKind.FLAG)
    assert told.link == ""  # a region cannot open the scarcity pages
    assert notices(db, users["other_region"], AlertKind.FLAG) == []  # VR13 never asked for gowns
    assert notices(db, users["logistics"], AlertKind.FLAG) == []


def test_a_worsened_flag_is_told_again_an_unchanged_one_not(db, users, gowns) -> None:
    runner.run_forecast(RunTrigger.CLI)
    assert reconcile_flags_job() == "0 flag changes recorded"
    assert len(notices(db, users["continuity"], AlertKind.FLAG)) == 1
    inventory.issue(lot_id=gowns.lot.id, warehouse_id=gowns.warehouse.id, quantity=1500, reason="field hospital",
                    user_id=users["logistics"].id)
    assert reconcile_flags_job() == "1 flag changes recorded"
    assert item_outlook(gowns.id).level is FlagLevel.CRITICAL
    _first, latest = notices(db, users["continuity"], AlertKind.FLAG)
    assert (latest.params["previous"], latest.params["level"]) == ("warning", "critical")
    assert len(notices(db, users["region"], AlertKind.FLAG)) == 2


def test_the_continuity_page_reads_the_flag_and_opens_the_item(db, users, gowns, as_role) -> None:
    runner.run_forecast(RunTrigger.CLI)
    [seen] = notices(db, users["continuity"], AlertKind.FLAG)
    client = as_role("continuity")
    page = client.get("/notifications")
    assert "GOWN-A: new" in page.text
    opened = client.get(f"/notifications/{seen.id}", follow_redirects=True)
    assert opened.status_code == 200
    assert opened.request.path == f"/forecast/items/{gowns.id}"


def test_a_failed_run_reaches_the_administrators(db, users, app) -> None:
    run = runs.queue_run(RunTrigger.MANUAL)
    runs.claim_next("host:1")
    run.heartbeat_at = utcnow() - dt.timedelta(seconds=app.config["FORECAST_RUN_DEAD_AFTER_SECONDS"] + 5)
    db.flush()
    runs.reap_dead_runs()
    [told] = notices(db, users["admin"], AlertKind.RUN_FAILED)
    assert told.link == f"/forecast/runs/{run.id}"
    assert "no heartbeat since" in told.params["error"]
    assert notices(db, users["continuity"], AlertKind.RUN_FAILED) == []


def test_an_overdue_delivery_reaches_logistics_once(db, users, client, api_as) -> None:
    item = factories.item(code="MASK-D")
    late = ExpectedDelivery(item_id=item.id, quantity=5000, expected_date=local_today() - dt.timedelta(days=2),
                            supplier="Acme", status=DeliveryStatus.EXPECTED)
    on_time = ExpectedDelivery(item_id=item.id, quantity=100, expected_date=local_today(), supplier="Acme",
                               status=DeliveryStatus.EXPECTED)
    db.add_all([late, on_time])
    db.flush()
    assert overdue_deliveries_job() == "1 overdue-delivery notifications"
    assert overdue_deliveries_job() == "0 overdue-delivery notifications"
    [told] = client.get("/api/v1/notifications", headers=api_as("logistics")).json
    assert told["kind"] == "delivery_overdue"
    assert told["title"].startswith("Delivery of 5,000 MASK-D from Acme is overdue")
    assert told["link"] == "/forecast/deliveries"
    assert notices(db, users["continuity"], AlertKind.DELIVERY_OVERDUE) == []
