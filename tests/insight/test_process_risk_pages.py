"""The risk grid on its page and in the API: police (tier 1) and schools (tier 2) sharing one scarce item."""

from __future__ import annotations

import datetime as dt

import pytest

from stockpile.db import local_today
from stockpile.forecast import runner
from stockpile.forecast.models import RunTrigger
from tests import factories
from tests.forecast.conftest import issue_on
from tests.inventory.helpers import receive
from tests.requests.helpers import submitted


@pytest.fixture
def masks(db, users):
    """100 a day for three weeks, 1,500 left; police asked 600 and schools 400 in the last days."""
    wh = factories.warehouse()
    item = factories.item(code="FFP2-R", lead_time_days=14, safety_stock_days=7)
    lot = receive(item, wh, 1500 + 2100).lot
    for days_ago in range(1, 22):
        issue_on(db, lot, wh, 100, days_ago)
    police, schools = factories.process(tier=1, code="POLICE"), factories.process(tier=2, code="SCHOOLS")
    for process, quantity in ((police, 600), (schools, 400)):
        submitted(users["region"], process, [(item, quantity)])
    runner.run_forecast(RunTrigger.CLI)
    return item, police, schools


def grid(client, headers, date):
    response = client.get(f"/api/v1/insight/process-risk?date={date.isoformat()}", headers=headers)
    assert response.status_code == 200, response.json
    return {c["process_code"]: c for c in response.json["cells"] if c["item_code"] == "FFP2-R"}


def test_the_tier_two_process_runs_out_first(db, masks, client, api_as) -> None:
    headers = api_as("continuity")
    days = [local_today() + dt.timedelta(days=n) for n in range(1, 30)]
    risks = [grid(client, headers, day) for day in days]
    assert {risks[0]["POLICE"]["tier"], risks[0]["SCHOOLS"]["tier"]} == {1, 2}
    assert risks[0]["POLICE"]["share"] == pytest.approx(0.6)
    assert all(r["SCHOOLS"]["probability"] >= r["POLICE"]["probability"] for r in risks)
    schools_half = next(d for d, r in zip(days, risks, strict=True) if r["SCHOOLS"]["probability"] >= 0.5)
    police_at_that_day = risks[days.index(schools_half)]["POLICE"]["probability"]
    assert police_at_that_day < 0.5


def test_the_page_writes_each_chance_beside_its_colour(db, masks, as_role) -> None:
    page = as_role("continuity").get(f"/insight/risk?date={(local_today() + dt.timedelta(days=29)).isoformat()}")
    assert page.status_code == 200
    assert "POLICE" in page.text
    assert "SCHOOLS" in page.text
    assert 'class="risk risk-high"' in page.text
    assert "%</td>" in page.text  # the number is written, not only coloured


def test_a_date_outside_the_horizon_is_refused_by_name(db, masks, client, api_as, as_role) -> None:
    past = (local_today() - dt.timedelta(days=1)).isoformat()
    refused = client.get(f"/api/v1/insight/process-risk?date={past}", headers=api_as("continuity"))
    assert refused.status_code == 422
    assert list(refused.json["errors"]) == ["date"]
    page = as_role("continuity").get(f"/insight/risk?date={past}")
    assert page.status_code == 422
    assert "the forecast&#39;s horizon" in page.text or "the forecast's horizon" in page.text


def test_the_dashboard_panel_names_the_process_at_risk(db, masks, as_role) -> None:
    page = as_role("continuity").get("/")
    assert "Processes at risk within two weeks" in page.text
