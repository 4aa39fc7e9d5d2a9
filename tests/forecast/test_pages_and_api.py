"""Pages and API: who may do what, what-if factors, deliveries refused beside their fields, runs queued."""

from __future__ import annotations

import datetime as dt

import pytest

from stockpile.db import local_today
from stockpile.forecast import queries, runner, runs
from stockpile.forecast.models import DeliveryStatus, ExpectedDelivery, RunStatus, RunTrigger
from tests import factories
from tests.forecast.conftest import issue_on
from tests.inventory.helpers import receive


@pytest.fixture
def ran(db):
    wh = factories.warehouse()
    item = factories.item(code="FFP2-P", lead_time_days=14, safety_stock_days=7)
    lot = receive(item, wh, 2000).lot
    for days_ago in range(1, 15):
        issue_on(db, lot, wh, 50 + days_ago % 3, days_ago)
    run = runner.run_forecast(RunTrigger.CLI)
    assert run.status is RunStatus.SUCCEEDED
    return item, run


def test_continuity_sees_dashboard_item_chart_and_runs(as_role, ran) -> None:
    item, run = ran
    client = as_role("continuity")
    dashboard = client.get("/forecast/")
    assert dashboard.status_code == 200
    assert "FFP2-P" in dashboard.text
    page = client.get(f"/forecast/items/{item.id}")
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in page.text
    assert "seasonal naive" in page.text
    assert client.get("/forecast/runs").status_code == 200
    assert client.get(f"/forecast/runs/{run.id}").status_code == 200


@pytest.mark.parametrize("factor", ["0", "-1", "11", "abc", "nan"])
def test_what_if_bad_factor_is_refused_beside_the_field(as_role, api_as, ran, factor) -> None:
    item, _run = ran
    page = as_role("continuity").get(f"/forecast/items/{item.id}?factor={factor}")
    assert page.status_code == 422
    assert 'id="factor-errors"' in page.text
    api = as_role("continuity").get(f"/api/v1/forecast/items/{item.id}/projection?factor={factor}",
                                    headers=api_as("continuity"))
    assert api.status_code == 422
    assert "factor" in api.json["errors"]


def test_what_if_factor_recomputes_projection_without_refit(as_role, api_as, ran) -> None:
    item, _run = ran
    client = as_role("continuity")
    base = client.get(f"/api/v1/forecast/items/{item.id}/projection", headers=api_as("continuity")).json
    doubled = client.get(f"/api/v1/forecast/items/{item.id}/projection?factor=2",
                         headers=api_as("continuity")).json
    assert doubled["mean_daily_forecast"] == pytest.approx(2 * base["mean_daily_forecast"])
    assert doubled["central"][-1] < base["central"][-1]
    assert client.get(f"/forecast/items/{item.id}?factor=2.5").status_code == 200


@pytest.mark.parametrize("role", ["region", "logistics"])
def test_region_and_logistics_cannot_start_runs(as_role, api_as, role, db) -> None:
    assert as_role(role).post("/forecast/runs/start").status_code == 403
    assert as_role(role).post("/api/v1/forecast/runs", headers=api_as(role)).status_code == 403
    assert queries.latest_run(None) is None


def test_logistics_may_read_flags_but_region_may_not(as_role, api_as, ran) -> None:
    assert as_role("logistics").get("/api/v1/forecast/flags", headers=api_as("logistics")).status_code == 200
    assert as_role("region").get("/api/v1/forecast/flags", headers=api_as("region")).status_code == 403


def test_a_run_is_queued_from_the_api_and_the_page_and_refused_while_one_is_active(as_role, api_as, db) -> None:
    client = as_role("continuity")
    queued = client.post("/api/v1/forecast/runs", headers=api_as("continuity"))
    assert queued.status_code == 202
    assert queued.json["status"] == "queued"
    refused = client.post("/api/v1/forecast/runs", headers=api_as("continuity"))
    assert refused.status_code == 409
    assert "already queued" in refused.json["message"]
    page = client.post("/forecast/runs/start", follow_redirects=True)
    assert "already queued" in page.text
    runs_page = client.get("/forecast/runs").text
    assert '<meta http-equiv="refresh" content="5">' in runs_page
    assert "waiting for the scheduler" in runs_page
    cancelled = client.post(f"/api/v1/forecast/runs/{queued.json['id']}/cancel", headers=api_as("continuity"))
    assert cancelled.json["status"] == "cancelled"
    assert 'http-equiv="refresh"' not in client.get("/forecast/runs").text
    log = client.get(f"/api/v1/forecast/runs/{queued.json['id']}/log", headers=api_as("continuity")).json
    assert [line["message"] for line in log] == ["queued (manual)", "cancelled before it started"]


def test_a_running_run_shows_its_progress_and_can_be_cancelled_from_its_page(as_role, api_as, db) -> None:
    run = runs.queue_run(RunTrigger.MANUAL)
    runs.claim_next("host:42")
    run.phase, run.series_done, run.series_total = "fitting", 12, 40
    db.flush()
    client = as_role("continuity")
    page = client.get(f"/forecast/runs/{run.id}").text
    assert "12 of 40 series" in page
    assert "phase fitting" in page
    assert '<meta http-equiv="refresh" content="5">' in page
    api = client.get(f"/api/v1/forecast/runs/{run.id}", headers=api_as("continuity")).json
    assert (api["series_done"], api["series_total"], api["phase"], api["executor"]) == (12, 40, "fitting", "host:42")
    stopped = client.post(f"/forecast/runs/{run.id}/cancel", follow_redirects=True)
    assert "asked to stop" in stopped.text
    assert queries.get_run(run.id).cancel_requested_at is not None


def test_delivery_in_the_past_or_negative_is_refused_by_field(as_role, api_as, db) -> None:
    item = factories.item()
    client = as_role("logistics")
    past = (local_today() - dt.timedelta(days=1)).isoformat()
    body = {"item_id": item.id, "quantity": -5, "expected_date": past, "supplier": "Acme"}
    refused = client.post("/api/v1/deliveries", json=body, headers=api_as("logistics"))
    assert refused.status_code == 422
    assert set(refused.json["errors"]) == {"quantity", "expected_date"}
    page = client.post("/forecast/deliveries/new", data={**body, "quantity": "0"})
    assert page.status_code == 422
    assert 'id="expected_date-errors"' in page.text
    assert 'id="quantity-errors"' in page.text


def test_delivery_counts_in_projection_until_cancelled(as_role, api_as, ran, db) -> None:
    item, _run = ran
    client = as_role("logistics")
    soon = (local_today() + dt.timedelta(days=3)).isoformat()
    made = client.post("/api/v1/deliveries", json={"item_id": item.id, "quantity": 5000, "expected_date": soon,
                                                    "supplier": "Acme"}, headers=api_as("logistics"))
    assert made.status_code == 201
    planner = as_role("continuity")
    with_delivery = planner.get(f"/api/v1/forecast/items/{item.id}/projection", headers=api_as("continuity")).json
    cancelled = client.post(f"/forecast/deliveries/{made.json['id']}/cancelled")
    assert cancelled.status_code == 302
    assert db.get(ExpectedDelivery, made.json["id"]).status is DeliveryStatus.CANCELLED
    without = planner.get(f"/api/v1/forecast/items/{item.id}/projection", headers=api_as("continuity")).json
    assert with_delivery["central"][-1] - without["central"][-1] == pytest.approx(5000)
    again = client.post(f"/api/v1/deliveries/{made.json['id']}/status", json={"status": "received"},
                        headers=api_as("logistics"))
    assert again.status_code == 409
