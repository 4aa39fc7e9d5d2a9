"""The administrator creates users, changes roles, resets passwords and deactivates accounts."""

from __future__ import annotations

from sqlalchemy import func, select

from stockpile.audit import AuditEvent
from stockpile.auth.models import Role, User
from tests import factories
from tests.conftest import sign_in


def count_users(db) -> int:
    return db.scalar(select(func.count()).select_from(User))


def new_user_form(**overrides):
    data = {"email": "new.user@test.example", "name": "New User", "role": "region", "region": "VR05",
            "password": "long enough password"}
    return {**data, **overrides}


def test_admin_creates_a_region_user(as_role, db) -> None:
    response = as_role("admin").post("/admin/users/new", data=new_user_form())
    assert response.status_code == 302
    user = db.scalar(select(User).where(User.email == "new.user@test.example"))
    assert user.role is Role.REGION
    assert user.region.code == "VR05"
    assert user.password_hash != "long enough password"


def test_region_user_without_region_is_refused_beside_the_field(as_role, db) -> None:
    before = count_users(db)
    response = as_role("admin").post("/admin/users/new", data=new_user_form(region=""))
    assert response.status_code == 422
    assert "A region user needs a region." in response.text
    assert count_users(db) == before


def test_duplicate_email_and_short_password_are_refused(as_role, users, db) -> None:
    before = count_users(db)
    admin = as_role("admin")
    duplicate = admin.post("/admin/users/new", data=new_user_form(email=users["logistics"].email.upper()))
    assert duplicate.status_code == 422
    assert "already exists" in duplicate.text
    short = admin.post("/admin/users/new", data=new_user_form(password="short"))
    assert short.status_code == 422
    assert "at least 12 characters" in short.text
    assert count_users(db) == before


def test_role_change_is_audited_and_signs_the_user_out(app, as_role, users, db) -> None:
    target = users["logistics"]
    browser = sign_in(app.test_client(), target)
    response = as_role("admin").post(f"/admin/users/{target.id}", data={"name": "X", "role": "continuity",
                                                                         "region": ""})
    assert response.status_code == 302
    db.expire_all()
    assert db.get(User, target.id).role is Role.CONTINUITY
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.object_id == target.id)).all()
    assert "user.role_change" in actions
    assert browser.get("/").status_code == 302


def test_admin_resets_a_password(app, as_role, users, db) -> None:
    target = users["logistics"]
    response = as_role("admin").post(f"/admin/users/{target.id}/password", data={"password": "another password!"})
    assert response.status_code == 302
    login = app.test_client().post("/login", data={"email": target.email, "password": "another password!"})
    assert login.status_code == 302


def test_too_short_reset_is_refused_and_keeps_the_old_password(app, as_role, users, db) -> None:
    target = users["logistics"]
    response = as_role("admin").post(f"/admin/users/{target.id}/password", data={"password": "short"})
    assert response.status_code == 422
    assert "at least 12 characters" in response.text
    login = app.test_client().post("/login", data={"email": target.email, "password": factories.PASSWORD})
    assert login.status_code == 302


def test_deactivation_ends_sessions_and_tokens(app, as_role, api_as, users, db) -> None:
    target = users["logistics"]
    headers = api_as("logistics")
    browser = sign_in(app.test_client(), target)
    response = as_role("admin").post(f"/admin/users/{target.id}/active")
    assert response.status_code == 302
    assert browser.get("/").status_code == 302
    assert app.test_client().get("/api/v1/items", headers=headers).status_code == 401


def test_admin_cannot_deactivate_themself(as_role, users, db) -> None:
    admin = users["admin"]
    as_role("admin").post(f"/admin/users/{admin.id}/active")
    db.expire_all()
    assert db.get(User, admin.id).active is True
