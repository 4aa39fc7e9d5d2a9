"""The administrator's reference-data pages."""

from __future__ import annotations

from sqlalchemy import func, select

from stockpile.reference.models import EssentialProcess, Item

ITEM_FORM = {"code": "GLOVE-XS", "name": "Nitrile gloves XS", "category": "hand", "unit_of_issue": "piece",
             "units_per_pack": "100", "en_standard": "EN 455", "shelf_life_months": "60", "lead_time_days": "14",
             "safety_stock_days": "14", "active": "y"}


def test_admin_adds_an_item_through_the_form(as_role, db) -> None:
    admin = as_role("admin")
    response = admin.post("/admin/items/new", data=ITEM_FORM)
    assert response.status_code == 302
    listing = admin.get("/admin/items")
    assert "GLOVE-XS" in listing.text
    assert db.scalar(select(Item).where(Item.code == "GLOVE-XS")).units_per_pack == 100


def test_duplicate_code_is_shown_beside_the_code_field_and_nothing_is_written(as_role, db) -> None:
    admin = as_role("admin")
    admin.post("/admin/items/new", data=ITEM_FORM)
    before = db.scalar(select(func.count()).select_from(Item))
    response = admin.post("/admin/items/new", data={**ITEM_FORM, "name": "Other"})
    assert response.status_code == 422
    assert 'id="code-errors"' in response.text
    assert "Code GLOVE-XS is already in use." in response.text
    assert db.scalar(select(func.count()).select_from(Item)) == before


def test_missing_and_wrong_fields_re_render_with_messages(as_role, db) -> None:
    response = as_role("admin").post("/admin/items/new", data={**ITEM_FORM, "name": "", "units_per_pack": "x"})
    assert response.status_code == 422
    assert 'id="name-errors"' in response.text
    assert 'id="units_per_pack-errors"' in response.text
    assert db.scalar(select(Item).where(Item.code == "GLOVE-XS")) is None


def test_admin_deactivates_a_process(as_role, db) -> None:
    admin = as_role("admin")
    admin.post("/admin/processes/new", data={"code": "p1", "name": "P", "sector": "S", "priority_tier": "2",
                                             "active": "y"})
    process = db.scalar(select(EssentialProcess).where(EssentialProcess.code == "P1"))
    response = admin.post(f"/admin/processes/{process.id}", data={"code": "P1", "name": "P", "sector": "S",
                                                                  "priority_tier": "2"})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(EssentialProcess, process.id).active is False


def test_tier_out_of_range_is_refused(as_role, db) -> None:
    response = as_role("admin").post("/admin/processes/new", data={"code": "p2", "name": "P", "sector": "S",
                                                                   "priority_tier": "0"})
    assert response.status_code == 422
    assert 'id="priority_tier-errors"' in response.text
