"""Filters with dates outside the calendar or unknown values are a 4xx naming the filter, never a 500."""

from __future__ import annotations

import pytest

from tests import factories
from tests.inventory.helpers import receive

OUT_OF_RANGE = [("since", "0001-01-01"), ("until", "9999-12-31"), ("since", "1899-12-31")]


@pytest.fixture
def ledger(db):
    receive(factories.item(), factories.warehouse(), 10)


@pytest.mark.parametrize(("field", "day"), OUT_OF_RANGE)
def test_the_ledger_page_and_its_files_refuse_a_day_outside_the_calendar(as_role, ledger, field, day) -> None:
    logistics = as_role("logistics")
    for path in ("/inventory/ledger", "/inventory/ledger.csv", "/inventory/ledger.xlsx"):
        response = logistics.get(path, query_string={field: day})
        assert response.status_code == 422, path
        assert "Choose a date from Jan 1, 1900 to Dec 31, 9998." in response.text


@pytest.mark.parametrize(("field", "day"), OUT_OF_RANGE)
def test_the_movements_api_refuses_a_day_outside_the_calendar(client, api_as, ledger, field, day) -> None:
    response = client.get("/api/v1/movements", headers=api_as("logistics"), query_string={field: day})
    assert response.status_code == 422
    assert response.json["errors"] == {field: ["Choose a date from Jan 1, 1900 to Dec 31, 9998."]}


@pytest.mark.parametrize(("field", "day"), OUT_OF_RANGE)
def test_the_audit_log_refuses_a_day_outside_the_calendar(as_role, db, field, day) -> None:
    admin = as_role("admin")
    for path in ("/admin/audit", "/admin/audit/export.csv"):
        response = admin.get(path, query_string={field: day})
        assert response.status_code == 422, path
        assert "Choose a date from Jan 1, 1900 to Dec 31, 9998." in response.text


def test_the_audit_log_names_a_date_it_cannot_read(as_role, db) -> None:
    response = as_role("admin").get("/admin/audit", query_string={"since": "yesterday"})
    assert response.status_code == 422
    assert "Give the date as YYYY-MM-DD." in response.text


@pytest.mark.parametrize("query", [{"type": "abc"}, {"item_id": "999999"}, {"since": "31-12-2026"}])
def test_the_ledger_page_names_an_unknown_filter_value(as_role, ledger, query) -> None:
    response = as_role("logistics").get("/inventory/ledger", query_string=query)
    assert response.status_code == 422
    assert "Not a valid choice." in response.text or "Not a valid date value." in response.text


def test_the_movements_api_refuses_an_unknown_type(client, api_as, ledger) -> None:
    response = client.get("/api/v1/movements", headers=api_as("logistics"), query_string={"type": "abc"})
    assert response.status_code == 422
    assert "type" in response.json["errors"]


def test_the_widest_days_inside_the_calendar_still_work(client, api_as, as_role, ledger) -> None:
    days = {"since": "1900-01-01", "until": "9998-12-31"}
    assert client.get("/api/v1/movements", headers=api_as("logistics"), query_string=days).status_code == 200
    assert as_role("logistics").get("/inventory/ledger", query_string=days).status_code == 200
    assert as_role("admin").get("/admin/audit", query_string=days).status_code == 200
