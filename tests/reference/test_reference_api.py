"""Reference data through the JSON API: everyone reads, the administrator writes, bad input is named."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from stockpile.reference.models import Item, Warehouse

NEW_ITEM = {"code": "ffp2-new", "name": "FFP2 respirator, new model", "category": "respiratory",
            "unit_of_issue": "piece", "units_per_pack": 20, "en_standard": "EN 149 FFP2",
            "shelf_life_months": 60, "lead_time_days": 21, "safety_stock_days": 14}


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_regions_are_the_25_safety_regions(client, api_as) -> None:
    response = client.get("/api/v1/regions?page_size=100", headers=api_as("region"))
    assert response.status_code == 200
    codes = [r["code"] for r in response.json]
    assert codes == [f"VR{n:02d}" for n in range(1, 26)]
    assert response.json[1]["name"] == "Fryslân"
    assert json.loads(response.headers["X-Pagination"])["total"] == 25


def test_admin_creates_an_item_and_everyone_can_read_it(client, api_as) -> None:
    response = client.post("/api/v1/items", headers=api_as("admin"), json=NEW_ITEM)
    assert response.status_code == 201
    assert response.json["code"] == "FFP2-NEW"
    read = client.get(f"/api/v1/items/{response.json['id']}", headers=api_as("region"))
    assert read.status_code == 200
    assert read.json["name"] == NEW_ITEM["name"]


def test_listing_is_paginated(client, api_as, db) -> None:
    headers = api_as("admin")
    for n in range(3):
        client.post("/api/v1/items", headers=headers, json={**NEW_ITEM, "code": f"PAGE-{n}"})
    response = client.get("/api/v1/items?page=2&page_size=2", headers=headers)
    assert response.status_code == 200
    assert len(response.json) == min(2, count(db, Item) - 2)
    assert json.loads(response.headers["X-Pagination"])["page"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW_ITEM, "unexpected": 1}, "unexpected"),
        ({k: v for k, v in NEW_ITEM.items() if k != "name"}, "name"),
        ({**NEW_ITEM, "units_per_pack": "twenty"}, "units_per_pack"),
        ({**NEW_ITEM, "units_per_pack": 2.5}, "units_per_pack"),
        ({**NEW_ITEM, "units_per_pack": 0}, "units_per_pack"),
        ({**NEW_ITEM, "category": "shoes"}, "category"),
        ({**NEW_ITEM, "lead_time_days": -1}, "lead_time_days"),
    ],
)
def test_bad_item_input_names_the_field_and_writes_nothing(client, api_as, db, body, field) -> None:
    before = count(db, Item)
    response = client.post("/api/v1/items", headers=api_as("admin"), json=body)
    assert response.status_code == 422
    assert response.json["code"] == "invalid_input"
    assert field in response.json["errors"]
    assert count(db, Item) == before


def test_duplicate_code_is_refused(client, api_as, db) -> None:
    headers = api_as("admin")
    assert client.post("/api/v1/items", headers=headers, json=NEW_ITEM).status_code == 201
    before = count(db, Item)
    response = client.post("/api/v1/items", headers=headers, json={**NEW_ITEM, "code": "FFP2-new"})
    assert response.status_code == 422
    assert response.json["errors"] == {"code": ["Code FFP2-NEW is already in use."]}
    assert count(db, Item) == before


def test_an_item_is_retired_by_deactivation_and_cannot_be_deleted(client, api_as) -> None:
    headers = api_as("admin")
    item_id = client.post("/api/v1/items", headers=headers, json=NEW_ITEM).json["id"]
    response = client.patch(f"/api/v1/items/{item_id}", headers=headers, json={"active": False})
    assert response.status_code == 200
    assert response.json["active"] is False
    assert client.delete(f"/api/v1/items/{item_id}", headers=headers).status_code == 405


def test_warehouse_with_unknown_region_is_refused(client, api_as, db) -> None:
    before = count(db, Warehouse)
    body = {"code": "WH-X", "name": "X", "region_id": 99999}
    response = client.post("/api/v1/warehouses", headers=api_as("admin"), json=body)
    assert response.status_code == 422
    assert "region_id" in response.json["errors"]
    assert count(db, Warehouse) == before


def test_unknown_record_is_404_json(client, api_as) -> None:
    response = client.get("/api/v1/essential-processes/99999", headers=api_as("logistics"))
    assert response.status_code == 404
    assert response.json["code"] == "not_found"


def test_openapi_document_lists_the_reference_endpoints(client) -> None:
    spec = client.get("/api/v1/openapi.json").json
    for path in ("/api/v1/items", "/api/v1/warehouses", "/api/v1/regions", "/api/v1/essential-processes"):
        assert path in spec["paths"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]
