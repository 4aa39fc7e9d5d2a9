"""The request workflow through the JSON API: same rules, same errors, regions see only their own."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from stockpile.db import local_today
from stockpile.requests.models import SupplyRequest


def body(item, process, quantity=100, **kw):
    return {"essential_process_id": process.id, "needed_by": (local_today() + dt.timedelta(days=3)).isoformat(),
            "justification": "Outbreak in care homes", "contact": "Piet 06-1", "delivery_address": "Utrecht",
            "lines": [{"item_id": item.id, "quantity": quantity}], **kw}


def count(db):
    return db.scalar(select(func.count()).select_from(SupplyRequest))


def test_whole_path_through_the_api(client, api_as, stock) -> None:
    item, process = stock.item, stock.process
    region, continuity, logistics = api_as("region"), api_as("continuity"), api_as("logistics")
    created = client.post("/api/v1/requests", headers=region, json=body(item, process))
    assert created.status_code == 201, created.json
    rid, line_id = created.json["id"], created.json["lines"][0]["id"]
    assert created.json["state"] == "draft"
    assert client.post(f"/api/v1/requests/{rid}/submit", headers=region, json={}).json["state"] == "submitted"
    approved = client.post(f"/api/v1/requests/{rid}/approve", headers=continuity,
                           json={"lines": [{"id": line_id, "quantity_approved": 80, "reason": "ration"}]})
    assert approved.status_code == 200, approved.json
    assert approved.json["state"] == "partially_approved"
    assert client.post(f"/api/v1/requests/{rid}/pick", headers=logistics, json={}).json["state"] == "picking"
    shipped = client.post(f"/api/v1/requests/{rid}/ship", headers=logistics, json={"carrier": "PostNL"})
    assert shipped.json["state"] == "shipped"
    confirmed = client.post(f"/api/v1/requests/{rid}/confirm", headers=region,
                            json={"lines": [{"id": line_id, "quantity_received": 80}]})
    assert confirmed.json["state"] == "delivered"
    history = client.get(f"/api/v1/requests/{rid}", headers=region).json["history"]
    assert [h["to_state"] for h in history] == ["submitted", "partially_approved", "picking", "shipped",
                                                "delivered"]


def test_another_regions_request_is_404_and_not_listed(client, api_as, stock) -> None:
    item, process = stock.item, stock.process
    rid = client.post("/api/v1/requests", headers=api_as("region"), json=body(item, process)).json["id"]
    other = api_as("other_region")
    assert client.get(f"/api/v1/requests/{rid}", headers=other).status_code == 404
    assert client.post(f"/api/v1/requests/{rid}/submit", headers=other, json={}).status_code == 404
    assert client.post(f"/api/v1/requests/{rid}/cancel", headers=other, json={}).status_code == 404
    assert [r["id"] for r in client.get("/api/v1/requests", headers=other).json] == []


@pytest.mark.parametrize("field", ["state", "region_id", "id", "created_by_id", "submitted_by_id"])
def test_fields_a_client_must_not_set_are_refused(client, api_as, stock, db, field) -> None:
    item, process = stock.item, stock.process
    before = count(db)
    response = client.post("/api/v1/requests", headers=api_as("region"),
                           json=body(item, process, **{field: 1}))
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert count(db) == before


@pytest.mark.parametrize(("quantity", "status"), [(0, 422), (-1, 422), (1.5, 422), ("3", 422)])
def test_bad_line_quantities(client, api_as, stock, db, quantity, status) -> None:
    item, process = stock.item, stock.process
    response = client.post("/api/v1/requests", headers=api_as("region"), json=body(item, process, quantity))
    assert response.status_code == status
    assert "lines" in response.json["errors"]


def test_needed_by_in_the_past_and_no_lines(client, api_as, stock) -> None:
    item, process = stock.item, stock.process
    past = body(item, process, needed_by=(local_today() - dt.timedelta(days=1)).isoformat())
    response = client.post("/api/v1/requests", headers=api_as("region"), json=past)
    assert response.status_code == 422
    assert "needed_by" in response.json["errors"]
    response = client.post("/api/v1/requests", headers=api_as("region"), json=body(item, process, lines=[]))
    assert response.status_code == 422
    assert "lines" in response.json["errors"]


def test_region_cannot_approve_and_wrong_state_is_409(client, api_as, stock) -> None:
    item, process = stock.item, stock.process
    region = api_as("region")
    created = client.post("/api/v1/requests", headers=region, json=body(item, process)).json
    decision = {"lines": [{"id": created["lines"][0]["id"], "quantity_approved": 10}]}
    assert client.post(f"/api/v1/requests/{created['id']}/approve", headers=region,
                       json=decision).status_code == 403
    response = client.post(f"/api/v1/requests/{created['id']}/approve", headers=api_as("continuity"),
                           json=decision)
    assert response.status_code == 409
    assert response.json["message"] == f"Request R-{created['id']:06d} is draft and cannot become approved."


def test_approving_more_than_free_is_409_with_numbers(client, api_as, stock) -> None:
    item, process = stock.item, stock.process
    region = api_as("region")
    created = client.post("/api/v1/requests", headers=region, json=body(item, process, 600)).json
    client.post(f"/api/v1/requests/{created['id']}/submit", headers=region, json={})
    response = client.post(f"/api/v1/requests/{created['id']}/approve", headers=api_as("continuity"),
                           json={"lines": [{"id": created["lines"][0]["id"], "quantity_approved": 600}]})
    assert response.status_code == 409
    assert "Only 500 of 600 units of FFP2" in response.json["message"]


def test_allocations_through_the_api(client, api_as, stock) -> None:
    item, process = stock.item, stock.process
    response = client.post("/api/v1/allocations", headers=api_as("continuity"),
                           json={"essential_process_id": process.id, "item_id": item.id, "quantity": 50,
                                 "reason": "ring-fence"})
    assert response.status_code == 200
    assert response.json["remaining"] == 50
    assert client.post("/api/v1/allocations", headers=api_as("region"),
                       json={"essential_process_id": process.id, "item_id": item.id, "quantity": 5,
                             "reason": "x"}).status_code == 403
