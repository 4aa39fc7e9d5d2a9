"""Flags follow the stock between runs with their history, and acknowledgements last until the flag worsens."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from stockpile.audit import AuditEvent
from stockpile.forecast import queries, runner
from stockpile.forecast.models import FlagEventKind, FlagLevel, RunTrigger
from stockpile.forecast.outlook import item_outlook
from stockpile.inventory import services as inventory
from stockpile.ops.scheduler import reconcile_flags_job
from tests import factories
from tests.forecast.conftest import issue_on
from tests.inventory.helpers import receive

NOTE = "Extra inkoop 30.000 st. besteld"


@pytest.fixture
def item(db):
    """Asked about 100 a day for three weeks, with 4,000 usable left: a flag only further out than the lead time."""
    wh = factories.warehouse()
    item = factories.item(code="GOWN-H", lead_time_days=14, safety_stock_days=7)
    asked = {days_ago: 80 + (days_ago * 37) % 41 for days_ago in range(1, 22)}
    lot = receive(item, wh, 2600 + sum(asked.values())).lot
    for days_ago, quantity in asked.items():
        issue_on(db, lot, wh, quantity, days_ago)
    runner.run_forecast(RunTrigger.CLI)
    item.lot, item.warehouse = lot, wh
    return item


def kinds(item_id):
    return [event.kind for event in reversed(queries.flag_history(item_id))]


def issue(item, quantity, user):
    inventory.issue(lot_id=item.lot.id, warehouse_id=item.warehouse.id, quantity=quantity, reason="field hospital",
                    user_id=user.id)


def acknowledge(as_role, api_as, item, note=NOTE):
    return as_role("continuity").post(f"/api/v1/forecast/items/{item.id}/acknowledgement", json={"note": note},
                                      headers=api_as("continuity"))


def test_an_acknowledgement_survives_two_runs(db, item, as_role, api_as) -> None:
    level = item_outlook(item.id).level
    assert level is not FlagLevel.NONE
    done = acknowledge(as_role, api_as, item)
    assert done.status_code == 200, done.json
    assert done.json["acknowledgement"]["note"] == NOTE
    runner.run_forecast(RunTrigger.CLI)
    runner.run_forecast(RunTrigger.CLI)
    outlook = item_outlook(item.id)
    assert outlook.acknowledgement is not None
    assert outlook.acknowledgement.note == NOTE
    flags = as_role("continuity").get("/api/v1/forecast/flags", headers=api_as("continuity")).json
    assert next(f for f in flags if f["item_id"] == item.id)["acknowledgement"]["note"] == NOTE
    assert NOTE in as_role("continuity").get("/forecast/").text
    assert kinds(item.id).count(FlagEventKind.ACKNOWLEDGED) == 1
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "flag.acknowledge")) is not None


def test_an_acknowledgement_lapses_when_the_flag_worsens_and_the_history_says_why(db, item, users, as_role,
                                                                                  api_as) -> None:
    before = item_outlook(item.id)
    acknowledge(as_role, api_as, item)
    issue(item, 2500, users["logistics"])  # a large issue: the stock-out comes weeks closer
    after = item_outlook(item.id)
    assert after.level is FlagLevel.CRITICAL
    assert after.stockout_central < before.stockout_central
    assert after.acknowledgement is None  # at once, on every surface: the flag is worse than what was seen
    flags = as_role("continuity").get("/api/v1/forecast/flags", headers=api_as("continuity")).json
    assert next(f for f in flags if f["item_id"] == item.id)["acknowledgement"] is None
    assert reconcile_flags_job() == "2 flag changes recorded"  # worsened, and the acknowledgement lapsed
    history = queries.flag_history(item.id)
    assert [e.kind for e in history[:2]] == [FlagEventKind.LAPSED, FlagEventKind.WORSENED]
    assert history[0].note == NOTE
    assert history[1].cause == "stock changed"
    assert history[1].run_id is None
    assert reconcile_flags_job() == "0 flag changes recorded"


def test_an_acknowledgement_holds_while_the_flag_is_no_worse(db, item, users, as_role, api_as) -> None:
    acknowledge(as_role, api_as, item)
    issue(item, 100, users["logistics"])  # a day's demand: about a day sooner, the same level
    assert item_outlook(item.id).acknowledgement is not None
    reconcile_flags_job()
    assert FlagEventKind.LAPSED not in kinds(item.id)


def test_a_withdrawn_acknowledgement_is_in_the_history(db, item, as_role, api_as) -> None:
    acknowledge(as_role, api_as, item)
    client = as_role("continuity")
    withdrawn = client.delete(f"/api/v1/forecast/items/{item.id}/acknowledgement", headers=api_as("continuity"))
    assert withdrawn.status_code == 200
    assert withdrawn.json["acknowledgement"] is None
    again = client.delete(f"/api/v1/forecast/items/{item.id}/acknowledgement", headers=api_as("continuity"))
    assert again.status_code == 409
    history = client.get(f"/api/v1/forecast/items/{item.id}/flag-history", headers=api_as("continuity")).json
    assert [e["kind"] for e in history[:2]] == ["withdrawn", "acknowledged"]
    assert history[0]["note"] == NOTE


def test_acknowledging_needs_a_note_and_a_flag(db, item, as_role, api_as) -> None:
    assert acknowledge(as_role, api_as, item, note="").status_code == 422
    plenty = factories.item(code="PLENTY-H")
    receive(plenty, item.warehouse, 10)
    refused = as_role("continuity").post(f"/api/v1/forecast/items/{plenty.id}/acknowledgement",
                                         json={"note": "seen"}, headers=api_as("continuity"))
    assert refused.status_code == 409
    assert "no flag to acknowledge" in refused.json["message"]


def test_acknowledge_and_withdraw_on_the_item_page(db, item, as_role) -> None:
    client = as_role("continuity")
    empty = client.post(f"/forecast/items/{item.id}/acknowledge", data={"note": ""})
    assert empty.status_code == 422
    done = client.post(f"/forecast/items/{item.id}/acknowledge", data={"note": NOTE}, follow_redirects=True)
    assert "Flag acknowledged." in done.text
    assert NOTE in done.text
    assert "Withdraw the acknowledgement" in done.text
    withdrawn = client.post(f"/forecast/items/{item.id}/acknowledgement/withdraw", follow_redirects=True)
    assert "Acknowledgement withdrawn." in withdrawn.text
    assert "acknowledgement withdrawn" in withdrawn.text  # the history line


def test_flags_follow_the_stock_between_runs(db, item, users) -> None:
    assert kinds(item.id) == [FlagEventKind.NEW]
    issue(item, 2500, users["logistics"])
    reconcile_flags_job()
    assert kinds(item.id) == [FlagEventKind.NEW, FlagEventKind.WORSENED]
    receive(item, item.warehouse, 50_000)
    reconcile_flags_job()
    assert kinds(item.id)[-1] in (FlagEventKind.IMPROVED, FlagEventKind.RESOLVED)


def test_the_history_names_its_causes_in_the_readers_language(db, item, users, as_role) -> None:
    """The history stores causes as machine text ("run 3", "stock changed"); a Dutch page says them in Dutch."""
    issue(item, 2000, users["logistics"])
    reconcile_flags_job()
    users["continuity"].locale = "nl"
    db.flush()
    page = as_role("continuity").get(f"/forecast/items/{item.id}").text
    run_id = queries.flag_history(item.id)[-1].run_id
    assert f"berekening {run_id}" in page
    assert "voorraad gewijzigd" in page
    assert "stock changed" not in page
