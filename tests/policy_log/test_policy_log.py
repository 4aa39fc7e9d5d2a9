"""Worked examples of the policy decision log: every change a version, each decision stores the version it was
made under, and the log answers which rule was in force for a decision, and who set it."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from stockpile.db import local_today
from stockpile.errors import FieldErrors, Forbidden
from stockpile.policy_log import services as policy
from stockpile.policy_log.models import CrisisPhase, PolicyTopic
from stockpile.reference.services import update_reference
from stockpile.requests import services as requests
from tests import factories
from tests.inventory.helpers import receive
from tests.requests.helpers import submitted


@pytest.fixture
def ffp2(db):
    item, warehouse = factories.item(code="FFP2-TEST", name="FFP2 mask"), factories.warehouse()
    receive(item, warehouse, 40)
    return item


@pytest.fixture
def care(db):
    return factories.process(tier=2, code="CARE-TEST")


def _forty_of_sixty(users, ffp2, care):
    """Region VR09 asks 60 FFP2 for care; 40 are free; the continuity section approves 40."""
    request = submitted(users["region"], care, [(ffp2, 60)])
    line = request.lines[0]
    requests.approve(request, users["continuity"], {line.id: (40, "only 40 free")})
    return request


def test_each_change_is_a_version_with_who_why_and_phase(db, users, care, ffp2) -> None:
    crisis = policy.set_phase(users["continuity"], "crisis", "WHO declares a pandemic")
    tier = update_reference(care, {"priority_tier": 1, "policy_reason": "care first in wave 1"}, users["admin"].id)
    allocation = requests.set_allocation(care.id, ffp2.id, 30, "ring-fence for nursing homes", users["continuity"])

    versions = db.execute(text("SELECT id, topic, old_value, new_value, phase, user_id, reason "
                               "FROM policy_versions ORDER BY id")).all()
    assert [tuple(v[1:]) for v in versions] == [
        ("phase", "normal", "crisis", "crisis", users["continuity"].id, "WHO declares a pandemic"),
        ("priority_tier", "2", "1", "crisis", users["admin"].id, "care first in wave 1"),
        ("allocation", "0", "30", "crisis", users["continuity"].id, "ring-fence for nursing homes"),
    ]
    assert policy.current_version_id() == versions[-1][0]
    assert policy.current_phase() is CrisisPhase.CRISIS
    assert allocation.quantity == 30
    assert care.priority_tier == 1
    assert crisis.id < tier.priority_tier + 10**9


def test_a_tier_change_without_a_reason_is_refused_and_nothing_changes(db, users, care) -> None:
    with pytest.raises(FieldErrors) as refused:
        update_reference(care, {"priority_tier": 1}, users["admin"].id)
    assert "policy_reason" in refused.value.errors
    assert care.priority_tier == 2
    assert policy.current_version_id() is None


def test_the_log_cannot_be_rewritten(db, users) -> None:
    version = policy.set_phase(users["continuity"], "scaling_up", "cases rising")
    with pytest.raises(DatabaseError), db.begin_nested():
        db.execute(text("UPDATE policy_versions SET reason = 'nothing happened' WHERE id = :id"), {"id": version.id})
    with pytest.raises(DatabaseError), db.begin_nested():
        db.execute(text("DELETE FROM policy_versions WHERE id = :id"), {"id": version.id})


def test_only_the_continuity_section_sets_phase_and_shelf_life(db, users) -> None:
    with pytest.raises(Forbidden):
        policy.set_phase(users["admin"], "crisis", "because")
    with pytest.raises(FieldErrors):
        policy.set_phase(users["continuity"], "normal", "already normal")
    with pytest.raises(FieldErrors):
        policy.set_phase(users["continuity"], "crisis", "  ")


def test_the_minimum_shelf_life_is_policy_and_decides_what_is_usable(db, users) -> None:
    item, warehouse = factories.item(), factories.warehouse()
    receive(item, warehouse, 50, expiry_days=20)  # 20 days left: not usable under the default 30 days
    from stockpile.requests.reservations import usable_free

    assert usable_free(item.id) == 0
    policy.set_min_shelf_life(users["continuity"], 14, "short missions: two weeks is enough")
    assert policy.min_shelf_life_days() == 14
    assert usable_free(item.id) == 50


def test_a_decision_stores_the_version_it_was_made_under(db, users, care, ffp2) -> None:
    policy.set_phase(users["continuity"], "crisis", "WHO declares a pandemic")
    in_force = requests.set_allocation(care.id, ffp2.id, 40, "ring-fence for care", users["continuity"])
    request = _forty_of_sixty(users, ffp2, care)
    later = policy.set_phase(users["continuity"], "scaling_down", "wave over")

    assert request.policy_version_id == policy.current_version_id() - 1
    assert request.policy_version_id < later.id
    assert in_force.quantity == 40


def test_which_rule_was_in_force_when_the_region_got_40_of_60_and_who_set_it(as_role, db, users, care,
                                                                             ffp2) -> None:
    policy.set_phase(users["continuity"], "crisis", "WHO declares a pandemic")
    update_reference(care, {"priority_tier": 1, "policy_reason": "care first in wave 1"}, users["admin"].id)
    requests.set_allocation(care.id, ffp2.id, 40, "ring-fence for nursing homes", users["continuity"])
    request = _forty_of_sixty(users, ffp2, care)
    # Changed afterwards: the decision still shows the rule it was made under.
    requests.set_allocation(care.id, ffp2.id, 10, "wave over", users["continuity"])

    query = f"region={request.region_id}&item={ffp2.id}&day={local_today().isoformat()}"
    page = as_role("continuity").get(f"/policy/decisions?{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert request.number in html
    assert "ring-fence for nursing homes" in html
    assert "wave over" not in html
    assert users["continuity"].email in html
    assert users["admin"].email in html

    body = as_role("admin").get(f"/policy/decisions.csv?{query}").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(body)))
    by_rule = {row["rule"]: row for row in rows}
    assert set(by_rule) == {"phase", "priority_tier", "allocation"}
    assert {row["requested"] for row in rows} == {"60"}
    assert {row["approved"] for row in rows} == {"40"}
    assert by_rule["allocation"]["rule_value"] == "40"
    assert by_rule["allocation"]["rule_set_by"] == users["continuity"].email
    assert by_rule["priority_tier"]["rule_set_by"] == users["admin"].email
    assert by_rule["phase"]["rule_value"] == "crisis"

    workbook = load_workbook(io.BytesIO(as_role("admin").get(f"/policy/decisions.xlsx?{query}").data))
    sheet_rows = list(workbook.active.iter_rows(values_only=True))
    assert len(sheet_rows) == 4
    assert sheet_rows[0][0] == "request"


def test_another_region_or_day_finds_nothing(as_role, db, users, care, ffp2) -> None:
    request = _forty_of_sixty(users, ffp2, care)
    other = users["other_region"].region_id
    html = as_role("continuity").get(f"/policy/decisions?region={other}").get_data(as_text=True)
    assert request.number not in html
    html = as_role("continuity").get("/policy/decisions?day=2020-12-03").get_data(as_text=True)
    assert request.number not in html


def test_the_policy_page_sets_the_phase_and_lists_the_log(as_role, db, users) -> None:
    client = as_role("continuity")
    refused = client.post("/policy/phase", data={"phase-phase": "crisis", "phase-reason": ""})
    assert refused.status_code == 422
    done = client.post("/policy/phase", data={"phase-phase": "crisis", "phase-reason": "hospitals full"})
    assert done.status_code == 302
    html = client.get("/policy").get_data(as_text=True)
    assert "hospitals full" in html
    csv_body = client.get("/policy/log.csv").get_data(as_text=True)
    assert '"phase","","","normal","crisis","crisis","hospitals full"' in csv_body
    assert client.post("/policy/shelf-life", data={"shelf-days": "10", "shelf-reason": "re-tested"}).status_code == 302
    assert policy.min_shelf_life_days() == 10


def test_the_api_offers_the_policy_its_changes_and_the_decisions(app, db, users, api_as, care, ffp2) -> None:
    client = app.test_client()
    changed = client.post("/api/v1/policy/phase", json={"phase": "crisis", "reason": "hospitals full"},
                          headers=api_as("continuity"))
    assert changed.status_code == 200
    assert changed.json["phase"] == "crisis"
    assert client.post("/api/v1/policy/phase", json={"phase": "crisis", "reason": "x"},
                       headers=api_as("admin")).status_code == 403
    shelf = client.post("/api/v1/policy/min-shelf-life", json={"days": 45, "reason": "longer missions"},
                        headers=api_as("continuity"))
    assert shelf.json == {"version": policy.current_version_id(), "phase": "crisis", "min_shelf_life_days": 45}
    versions = client.get("/api/v1/policy/versions", headers=api_as("admin")).json
    assert [v["topic"] for v in versions] == ["min_shelf_life", "phase"]
    assert versions[0]["set_by"] == users["continuity"].email
    assert versions[0]["old_value"] == "30"

    patched = client.patch(f"/api/v1/essential-processes/{care.id}", json={"priority_tier": 1},
                           headers=api_as("admin"))
    assert patched.status_code == 422
    assert "policy_reason" in patched.json["errors"]
    request = _forty_of_sixty(users, ffp2, care)
    shown = client.get(f"/api/v1/requests/{request.id}", headers=api_as("continuity")).json
    assert shown["policy_version_id"] == policy.current_version_id()
    found = client.get(f"/api/v1/policy/decisions?region_id={request.region_id}&item_id={ffp2.id}",
                       headers=api_as("continuity")).json
    assert [(d["request"], d["requested"], d["approved"]) for d in found] == [(request.number, 60, 40)]
    assert {rule["topic"] for rule in found[0]["rules"]} == {"phase", "min_shelf_life"}
    assert PolicyTopic.PHASE.value == "phase"
