"""Signing in and out through the pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from stockpile.audit import AuditEvent
from stockpile.auth import services
from stockpile.auth.models import Role
from tests import factories
from tests.conftest import make_test_app, sign_in


def login(client, email, password, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": email, "password": password})


def test_user_signs_in_and_reaches_the_dashboard(client, db) -> None:
    user = factories.user(Role.LOGISTICS)
    response = login(client, user.email.upper(), factories.PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert user.email in page.text


def test_wrong_password_and_unknown_email_get_the_same_answer(client, db) -> None:
    user = factories.user(Role.LOGISTICS)
    wrong_password = login(client, user.email, "not the password")
    unknown_email = login(client, "nobody@test.example", "not the password")
    assert wrong_password.status_code == unknown_email.status_code == 422
    assert "Unknown email or wrong password." in wrong_password.text
    assert "Unknown email or wrong password." in unknown_email.text
    assert client.get("/").status_code == 302


def test_failed_sign_in_is_audited_with_only_an_existing_accounts_address(client, db) -> None:
    user = factories.user(Role.LOGISTICS)
    login(client, "nobody@test.example", "whatever-it-is")
    login(client, "my-secret-password-typed-here", "oops")
    login(client, f"  {user.email.upper()} ", "wrong guess")
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login_failed")
                        .order_by(AuditEvent.id)).all()
    assert [e.details["email"] for e in events] == ["unknown account", "unknown account", user.email]


def test_deactivated_user_cannot_sign_in(client, db) -> None:
    user = factories.user(Role.LOGISTICS)
    services.set_active(user, False, None)
    response = login(client, user.email, factories.PASSWORD)
    assert response.status_code == 422
    assert "Unknown email or wrong password." in response.text


def test_missing_fields_are_named_beside_the_field(client, db) -> None:
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert response.text.count("This field is required.") == 2


def test_next_only_follows_local_paths(client, db) -> None:
    user = factories.user(Role.ADMIN)
    response = login(client, user.email, factories.PASSWORD, next_url="https://evil.example/")
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = login(client, user.email, factories.PASSWORD, next_url="/admin/users")
    assert response.headers["Location"] == "/admin/users"


@pytest.mark.parametrize("next_url", ["/%0d%0aX:%20y", "/%09tab", "/%7Fdel", "/%5Cevil.example", "/%5C%5Cevil"])
def test_a_next_with_control_characters_or_backslashes_is_ignored_and_the_sign_in_kept(client, db,
                                                                                      next_url) -> None:
    user = factories.user(Role.ADMIN)
    response = login(client, user.email, factories.PASSWORD, next_url=next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    signed_in = db.scalars(select(AuditEvent).where(AuditEvent.action == "auth.login",
                                                    AuditEvent.object_id == user.id)).all()
    assert len(signed_in) == 1


def test_logout_ends_the_session_and_a_copied_cookie_stops_working(app, client, db) -> None:
    user = factories.user(Role.LOGISTICS)
    sign_in(client, user)
    copy = app.test_client()
    sign_in(copy, user)
    assert copy.get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302
    assert copy.get("/").status_code == 302


def test_password_reset_ends_existing_sessions(app, db) -> None:
    user = factories.user(Role.LOGISTICS)
    browser = sign_in(app.test_client(), user)
    assert browser.get("/").status_code == 200
    services.set_password(user, "a brand new password", None)
    assert browser.get("/").status_code == 302


def test_forms_need_a_csrf_token(database_url, tmp_path) -> None:
    app = make_test_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)
    try:
        client = app.test_client()
        response = client.post("/login", data={"email": "a@b.example", "password": "x"})
        assert response.status_code == 400
        assert "CSRF" in response.text
        page = client.get("/login")
        assert 'name="csrf_token"' in page.text
    finally:
        app.extensions["stockpile.engine"].dispose()


def test_fields_point_to_error_messages_only_when_there_are_some(client, db) -> None:
    blank = client.get("/login").text
    assert "aria-describedby" not in blank
    refused = client.post("/login", data={"email": "", "password": ""}).text
    assert 'aria-describedby="email-errors"' in refused
    assert 'id="email-errors"' in refused
    assert 'aria-invalid="true"' in refused


def test_changing_ones_password_keeps_this_session_and_ends_the_others(app, db) -> None:
    user = factories.user(Role.REGION, region_code="VR09")
    here, elsewhere = sign_in(app.test_client(), user), sign_in(app.test_client(), user)
    response = here.post("/account/password", data={"current": factories.PASSWORD, "password": "a new long password",
                                                    "confirm": "a new long password"})
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert login(app.test_client(), user.email, "a new long password").status_code == 302


@pytest.mark.parametrize(("current", "new", "confirm", "field"), [
    ("wrong password!", "a new long password", "a new long password", "current"),
    (factories.PASSWORD, "a new long password", "another long password", "confirm"),
    (factories.PASSWORD, "short", "short", "password"),
])
def test_a_bad_password_change_is_refused_beside_the_field(app, db, current, new, confirm, field) -> None:
    user = factories.user(Role.LOGISTICS)
    client = sign_in(app.test_client(), user)
    response = client.post("/account/password", data={"current": current, "password": new, "confirm": confirm})
    assert response.status_code == 422
    assert f'id="{field}-errors"' in response.text
    assert login(app.test_client(), user.email, factories.PASSWORD).status_code == 302
