"""Named API tokens with creation, last use and expiry; listed and revoked on a page and on the command line; all
revoked by a password change or reset."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from stockpile.auth import services
from stockpile.auth.models import ApiToken, Role
from stockpile.db import utcnow
from tests import factories
from tests.conftest import sign_in


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def record_of(db, token) -> ApiToken:
    return db.scalar(select(ApiToken).where(ApiToken.token_hash == services.token_digest(token)))


def test_a_token_has_a_name_a_creation_time_and_expires_after_90_days_by_default(db) -> None:
    user = factories.user(Role.LOGISTICS)
    record = record_of(db, services.create_token(user.email, name="stock sync"))
    assert record.name == "stock sync"
    assert record.last_used_at is None
    assert dt.timedelta(days=89, hours=23) < record.expires_at - record.created_at <= dt.timedelta(days=90)


def test_its_last_use_is_recorded_every_few_minutes_not_on_every_request(client, db) -> None:
    user = factories.user(Role.LOGISTICS)
    token = services.create_token(user.email, name="script")
    assert client.get("/api/v1/items", headers=bearer(token)).status_code == 200
    record = record_of(db, token)
    db.refresh(record)
    first_use = record.last_used_at
    assert first_use is not None
    assert utcnow() - first_use < dt.timedelta(minutes=1)
    client.get("/api/v1/items", headers=bearer(token))
    db.refresh(record)
    assert record.last_used_at == first_use
    record.last_used_at = first_use - services.LAST_USE_STEP
    db.flush()
    client.get("/api/v1/items", headers=bearer(token))
    db.refresh(record)
    assert record.last_used_at > first_use


def test_a_user_lists_makes_and_revokes_their_own_tokens_on_a_page(app, db) -> None:
    user = factories.user(Role.REGION, region_code="VR09")
    browser = sign_in(app.test_client(), user)
    made = browser.post("/account/tokens", data={"name": "planning sheet", "days": "30"})
    assert made.status_code == 200
    token = made.text.split("<code>")[1].split("</code>")[0]
    assert token.startswith("sp_")
    assert browser.get("/api/v1/requests", headers=bearer(token)).status_code == 200
    page = browser.get("/account/tokens")
    assert "planning sheet" in page.text
    assert token not in page.text  # shown once only
    record = record_of(db, token)
    assert browser.post(f"/account/tokens/{record.id}/revoke").status_code == 302
    assert browser.get("/api/v1/requests", headers=bearer(token)).status_code == 401
    assert "revoked" in browser.get("/account/tokens").text


@pytest.mark.parametrize(("data", "message"), [({"name": "", "days": "30"}, "This field is required."),
                                              ({"name": "x", "days": "400"}, "Number must be between 1 and 365.")])
def test_a_bad_new_token_is_refused_beside_the_field(app, db, data, message) -> None:
    browser = sign_in(app.test_client(), factories.user(Role.LOGISTICS))
    response = browser.post("/account/tokens", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert db.scalars(select(ApiToken)).all() == []


def test_nobody_revokes_another_users_token_but_the_administrator(app, db) -> None:
    owner, other, admin = (factories.user(Role.LOGISTICS), factories.user(Role.LOGISTICS),
                           factories.user(Role.ADMIN))
    token = services.create_token(owner.email, name="owner's")
    token_id = record_of(db, token).id
    assert sign_in(app.test_client(), other).post(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert "owner&#39;s" not in sign_in(app.test_client(), other).get("/account/tokens").text
    admin_browser = sign_in(app.test_client(), admin)
    everyone = admin_browser.get("/admin/tokens")
    assert everyone.status_code == 200
    assert owner.email in everyone.text
    assert sign_in(app.test_client(), other).get("/admin/tokens").status_code == 403
    assert admin_browser.post(f"/account/tokens/{token_id}/revoke", data={"back": "all"}).status_code == 302
    assert record_of(db, token).revoked


def test_tokens_are_listed_and_revoked_on_the_command_line(runner, client, db) -> None:
    user = factories.user(Role.LOGISTICS)
    token = services.create_token(user.email, name="nightly export")
    other = services.create_token(factories.user(Role.ADMIN).email, name="admin's")
    listing = runner.invoke(args=["tokens", "list", "--email", user.email])
    assert listing.exit_code == 0, listing.output
    lines = listing.output.strip().splitlines()
    assert lines[0] == "id\tuser\tname\tcreated_utc\tlast_used_utc\texpires_utc\tstatus"
    assert len(lines) == 2
    assert "nightly export" in lines[1]
    assert lines[1].endswith("\tvalid")
    token_id = lines[1].split("\t")[0]
    revoked = runner.invoke(args=["tokens", "revoke", token_id])
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/items", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/items", headers=bearer(other)).status_code == 200
    assert runner.invoke(args=["tokens", "list"]).output.count("\tvalid") >= 1
    assert runner.invoke(args=["tokens", "revoke", "999999"]).exit_code != 0


def test_create_token_on_the_command_line_takes_a_name(runner, db) -> None:
    user = factories.user(Role.LOGISTICS)
    result = runner.invoke(args=["create-token", user.email, "--name", "warehouse scanner", "--days", "7"])
    assert result.exit_code == 0, result.output
    record = record_of(db, result.output.strip().splitlines()[-1])
    assert record.name == "warehouse scanner"
    assert record.expires_at - record.created_at <= dt.timedelta(days=7)


def test_changing_ones_own_password_revokes_all_ones_tokens(app, client, db) -> None:
    user = factories.user(Role.LOGISTICS)
    tokens = [services.create_token(user.email, name=f"t{n}") for n in range(2)]
    bystander = services.create_token(factories.user(Role.LOGISTICS).email)
    browser = sign_in(app.test_client(), user)
    changed = browser.post("/account/password", data={"current": factories.PASSWORD,
                                                      "password": "a brand new password",
                                                      "confirm": "a brand new password"})
    assert changed.status_code == 302
    for token in tokens:
        assert client.get("/api/v1/items", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/items", headers=bearer(bystander)).status_code == 200


def test_an_administrators_password_reset_revokes_all_the_users_tokens(app, client, db) -> None:
    user, admin = factories.user(Role.LOGISTICS), factories.user(Role.ADMIN)
    token = services.create_token(user.email)
    reset = sign_in(app.test_client(), admin).post(f"/admin/users/{user.id}/password",
                                                   data={"password": "a reset password here"})
    assert reset.status_code == 302
    assert client.get("/api/v1/items", headers=bearer(token)).status_code == 401
