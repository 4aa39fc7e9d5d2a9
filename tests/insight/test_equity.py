"""The equity view worked by hand: police in Utrecht served in full, police in Amsterdam still waiting, care in
Utrecht cut by rationing."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from stockpile.db import local_today
from stockpile.insight.equity import window
from stockpile.requests import services as request_services
from tests import factories
from tests.inventory.helpers import receive
from tests.requests.helpers import submitted


@pytest.fixture
def served(db, users):
    item, warehouse = factories.item(code="FFP2-EQ"), factories.warehouse()
    receive(item, warehouse, 1000)
    police, care = factories.process(tier=1, code="POLICE-EQ"), factories.process(tier=2, code="CARE-EQ")
    utrecht, amsterdam = users["region"], users["other_region"]

    def decide(user, process, asked, approved, pick):
        request = submitted(user, process, [(item, asked)])
        request_services.approve(request, users["continuity"], {request.lines[0].id: (approved, "Rationed")})
        if pick:
            request_services.pick(request, users["logistics"])
        return request

    requests = {"police-utrecht": decide(utrecht, police, 400, 400, True),
                "police-amsterdam": decide(amsterdam, police, 200, 200, False),
                "care-utrecht": decide(utrecht, care, 600, 300, True)}  # 400 free then: cut for scarcity
    db.flush()
    return requests


def rows(client, headers, **query):
    response = client.get("/api/v1/insight/equity", headers=headers, query_string={"weeks": 1, **query})
    assert response.status_code == 200, response.json
    return {(r["process_code"], r["region_code"]): r for r in response.json}


def test_the_figures_per_process_and_region(db, served, client, api_as) -> None:
    found = rows(client, api_as("continuity"))
    figures = {key: (r["asked"], r["approved"], r["delivered"], r["fill_rate"], r["unmet"], r["cut_rationing"])
               for key, r in found.items() if key[0].endswith("-EQ")}
    assert figures == {
        ("POLICE-EQ", "VR09"): (400, 400, 400, 1.0, 0, 0),
        ("POLICE-EQ", "VR13"): (200, 200, 0, 0.0, 200, 0),
        ("CARE-EQ", "VR09"): (600, 300, 300, 0.5, 300, 300),
    }
    # 1,000 received, 700 issued, 200 reserved for Amsterdam: 100 free. Police asked 600, Utrecht 400 of it, so
    # Utrecht's police have 2/3 of 100 units at 400 units per day of the window.
    days = (local_today() - window(1)[0]).days + 1
    assert found[("POLICE-EQ", "VR09")]["days_of_cover"] == pytest.approx(100 * 2 / 3 / (400 / days))
    assert [w["fill_rate"] for w in found[("CARE-EQ", "VR09")]["weeks"]] == [0.5]


def test_sorted_by_fill_rate_the_worst_served_come_first(db, served, client, api_as) -> None:
    ordered = [key for key in rows(client, api_as("continuity"), sort="fill_rate") if key[0].endswith("-EQ")]
    assert ordered == [("POLICE-EQ", "VR13"), ("CARE-EQ", "VR09"), ("POLICE-EQ", "VR09")]
    ordered = [key for key in rows(client, api_as("continuity"), sort="unmet", order="desc")
               if key[0].endswith("-EQ")]
    assert ordered == [("CARE-EQ", "VR09"), ("POLICE-EQ", "VR13"), ("POLICE-EQ", "VR09")]


def test_the_page_drills_down_to_the_requests_behind_a_number(db, served, as_role) -> None:
    client = as_role("continuity")
    page = client.get("/insight/equity?weeks=1&sort=unmet&order=desc")
    assert page.status_code == 200
    assert "POLICE-EQ" in page.text
    request = served["police-amsterdam"]
    drill = client.get(f"/insight/equity/requests?weeks=1&process={request.essential_process_id}"
                       f"&region={request.region_id}")
    assert request.number in drill.text
    assert served["police-utrecht"].number not in drill.text


def test_the_export_has_the_same_figures(db, served, as_role) -> None:
    client = as_role("continuity")
    text = client.get("/insight/equity.csv?weeks=1").data.decode()
    lines = {(r["process"], r["region"]): r for r in csv.DictReader(io.StringIO(text))}
    assert (lines[("CARE-EQ", "VR09")]["fill_rate"], lines[("CARE-EQ", "VR09")]["cut_rationing"]) == ("0.5", "300")
    workbook = load_workbook(io.BytesIO(client.get("/insight/equity.xlsx?weeks=1").data))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    found = {(row[0], row[2]): dict(zip(header, row, strict=True))
             for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert found[("POLICE-EQ", "VR13")]["unmet"] == 200


def test_weeks_out_of_range_are_refused_by_name(db, client, api_as, as_role) -> None:
    refused = client.get("/api/v1/insight/equity?weeks=53", headers=api_as("continuity"))
    assert refused.status_code == 422
    assert list(refused.json["errors"]) == ["weeks"]
    assert as_role("continuity").get("/insight/equity?weeks=0").status_code == 422
