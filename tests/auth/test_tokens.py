"""Personal API tokens: created on the command line, stored hashed, refused when unknown or expired."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from stockpile.auth import services
from stockpile.auth.models import ApiToken, Role
from stockpile.db import utcnow
from tests import factories
from tests.conftest import sign_in


def test_create_token_prints_the_token_as_last_line_and_stores_only_its_hash(runner, client, db) -> None:
    user = factories.user(Role.CONTINUITY)
    result = runner.invoke(args=["create-token", user.email])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("sp_")
    stored = db.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored
    assert services.token_digest(token) in stored
    assert client.get("/api/v1/items", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_create_token_for_unknown_user_fails_cleanly(runner, db) -> None:
    result = runner.invoke(args=["create-token", "nobody@test.example"])
    assert result.exit_code != 0
    assert "No active user" in result.output


def test_unknown_and_malformed_tokens_get_401(client, db) -> None:
    for header in ("Bearer sp_not-a-token", "Bearer ", "Basic abc", "sp_x"):
        response = client.get("/api/v1/items", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json["code"] == "unauthorized"


def test_expired_token_gets_401(client, db) -> None:
    user = factories.user(Role.LOGISTICS)
    token = services.create_token(user.email)
    record = db.scalar(select(ApiToken).where(ApiToken.token_hash == services.token_digest(token)))
    record.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.flush()
    assert client.get("/api/v1/items", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_the_api_ignores_a_browser_session_cookie(client, db) -> None:
    sign_in(client, factories.user(Role.ADMIN))
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/items").status_code == 401


def test_create_user_command(runner, db) -> None:
    result = runner.invoke(args=["create-user", "--email", "cli@test.example", "--password", "long enough pw",
                                 "--role", "region", "--region", "vr01"])
    assert result.exit_code == 0, result.output
    assert "Created region user cli@test.example" in result.output


def test_create_user_command_refuses_region_user_without_region(runner, db) -> None:
    result = runner.invoke(args=["create-user", "--email", "cli2@test.example", "--password", "long enough pw",
                                 "--role", "region"])
    assert result.exit_code != 0
    assert "A region user needs a region." in result.output
