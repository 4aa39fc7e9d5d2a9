"""The OpenAPI document describes what the service really sends."""

from __future__ import annotations

import json

from tests import factories


def test_x_pagination_is_declared_as_the_json_string_it_is(client, api_as, db) -> None:
    factories.item()
    spec = client.get("/api/v1/openapi.json").json
    declared = spec["paths"]["/api/v1/items"]["get"]["responses"]["200"]["headers"]["X-Pagination"]
    assert declared["schema"]["type"] == "string"
    sent = client.get("/api/v1/items", headers=api_as("admin")).headers["X-Pagination"]
    assert isinstance(sent, str)
    metadata = json.loads(sent)
    assert {"total", "total_pages", "first_page", "last_page", "page"} <= set(metadata)
    assert all(isinstance(value, int) for value in metadata.values())


def test_a_patch_without_a_body_is_refused_as_the_document_says(client, api_as, db) -> None:
    item = factories.item()
    spec = client.get("/api/v1/openapi.json").json
    assert spec["paths"]["/api/v1/items/{object_id}"]["patch"]["requestBody"]["required"] is True
    headers = api_as("admin")
    response = client.patch(f"/api/v1/items/{item.id}", headers=headers)
    assert response.status_code == 422
    assert response.json["errors"] == {"body": ["Send the fields to change as a JSON object."]}
    assert client.patch(f"/api/v1/items/{item.id}", headers=headers, json={}).status_code == 200
