"""Rejections say whether stock was short, and a request may name the one it asks again for: on the pages (in
Dutch too) and in the API, each refused beside its field when wrong."""

from __future__ import annotations

import pytest

from stockpile.requests import services
from stockpile.requests.models import RequestState
from tests import factories
from tests.inventory.helpers import receive
from tests.requests.helpers import submitted
from tests.requests.test_request_pages import new_form, the_request


@pytest.fixture
def asked(db, users):
    item = factories.item(code="FFP2-R")
    receive(item, factories.warehouse(), 100)
    process = factories.process(code="CARE-R")
    return item, process, submitted(users["region"], process, [(item, 500)])


def test_the_review_page_makes_the_reviewer_choose_whether_a_rejection_is_for_scarcity(as_role, db, asked) -> None:
    _item, _process, request = asked
    reviewer = as_role("continuity")
    page = reviewer.get(f"/review/requests/{request.id}")
    assert 'name="for_scarcity" value="yes" >' in page.text
    assert 'name="for_scarcity" value="no" >' in page.text
    refused = reviewer.post(f"/review/requests/{request.id}", data={"action": "reject", "reason": "none left"})
    assert refused.status_code == 422
    assert "Say whether the request is rejected because stock is short." in refused.text
    assert ">none left</textarea>" in refused.text  # the reason is kept
    db.expire_all()
    assert request.state is RequestState.SUBMITTED
    done = reviewer.post(f"/review/requests/{request.id}", data={"action": "reject", "reason": "none left",
                                                                 "for_scarcity": "yes"})
    assert done.status_code == 302
    db.expire_all()
    assert request.state is RequestState.REJECTED
    assert request.lines[0].cut_for_scarcity is True
    assert "Rejected because stock is short" in as_role("region").get(f"/requests/{request.id}").text


def test_the_review_page_in_dutch(as_role, db, asked, users) -> None:
    _item, _process, request = asked
    users["continuity"].locale = "nl"
    db.flush()
    page = as_role("continuity").get(f"/review/requests/{request.id}")
    assert "Is de aanvraag afgewezen omdat de voorraad tekortschiet?" in page.text


def test_the_api_takes_for_scarcity_and_defaults_to_another_reason(as_role, api_as, db, asked, users) -> None:
    item, process, request = asked
    client, headers = as_role("continuity"), api_as("continuity")
    bad = client.post(f"/api/v1/requests/{request.id}/reject", headers=headers,
                      json={"reason": "x", "for_scarcity": "perhaps"})
    assert bad.status_code == 422
    assert "for_scarcity" in bad.json["errors"]
    old_client = client.post(f"/api/v1/requests/{request.id}/reject", headers=headers, json={"reason": "duplicate"})
    assert old_client.status_code == 200
    assert old_client.json["lines"][0]["cut_for_scarcity"] is False
    other = submitted(users["region"], process, [(item, 400)])
    scarce = client.post(f"/api/v1/requests/{other.id}/reject", headers=headers,
                         json={"reason": "none left", "for_scarcity": True})
    assert scarce.json["lines"][0]["cut_for_scarcity"] is True
    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    reject_schema = next(s for name, s in schema.items() if "for_scarcity" in s.get("properties", {}))
    assert reject_schema["properties"]["for_scarcity"]["default"] is False


def test_a_re_ask_through_the_page_and_the_api(as_role, api_as, db, asked, users) -> None:
    item, process, original = asked
    services.reject(original, users["continuity"], "none left", for_scarcity=True)
    region = as_role("region")
    form = region.get("/requests/new")
    assert f'<option value="{original.id}">{original.number}' in form.text
    response = region.post("/requests/new", data=new_form(process, [(item, 500)], reask_of_id=str(original.id)))
    assert response.status_code == 302, response.text
    again = the_request(db)
    assert again.reask_of_id == original.id
    assert original.number in region.get(f"/requests/{again.id}").text

    body = {"essential_process_id": process.id, "needed_by": again.needed_by.isoformat(), "justification": "x",
            "contact": "y", "delivery_address": "z", "lines": [{"item_id": item.id, "quantity": 5}]}
    headers = api_as("region")
    made = region.post("/api/v1/requests", headers=headers, json={**body, "reask_of_id": original.id})
    assert made.status_code == 201
    assert made.json["reask_of_id"] == original.id
    plain = region.post("/api/v1/requests", headers=headers, json=body)
    assert plain.json["reask_of_id"] is None
    refused = region.post("/api/v1/requests", headers=headers, json={**body, "reask_of_id": plain.json["id"]})
    assert refused.status_code == 422
    assert "neither rejected nor cut" in refused.json["errors"]["reask_of_id"][0]


def test_a_re_ask_of_another_regions_request_is_refused_beside_the_field(as_role, db, asked, users) -> None:
    item, process, original = asked
    services.reject(original, users["continuity"], "none left", for_scarcity=True)
    other = as_role("other_region")
    assert original.number not in other.get("/requests/new").text
    response = other.post("/requests/new", data=new_form(process, [(item, 5)], reask_of_id=str(original.id)))
    assert response.status_code == 422
    assert "Choose a request of your own region." in response.text
