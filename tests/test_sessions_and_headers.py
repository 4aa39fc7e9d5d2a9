"""Sessions that end (idle and absolute), HSTS outside development, no-store on API answers and files, the cookie
setting honoured, and the secret-key file never readable by others."""

from __future__ import annotations

import os

import pytest

from stockpile import create_app
from stockpile.auth.models import Role
from tests import factories
from tests.conftest import make_test_app


def signed_in(client, user):
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


def age_session(client, **seconds):
    with client.session_transaction() as sess:
        for key, amount in seconds.items():
            sess[key] -= amount


def test_a_session_ends_after_eight_idle_hours(client, db) -> None:
    signed_in(client, factories.user(Role.LOGISTICS))
    age_session(client, seen_at=8 * 3600 - 60, signed_in_at=8 * 3600 - 60)
    assert client.get("/").status_code == 200  # a request within the idle time keeps it going
    age_session(client, seen_at=8 * 3600 + 1)
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert "Your session has ended. Sign in again." in client.get(response.headers["Location"]).text


def test_a_session_ends_a_day_after_signing_in_however_busy(client, db) -> None:
    signed_in(client, factories.user(Role.LOGISTICS))
    age_session(client, signed_in_at=24 * 3600 + 1)
    assert client.get("/").status_code == 302


def test_hsts_outside_development_only(database_url, tmp_path, db) -> None:
    production = make_test_app(database_url, tmp_path, TESTING=False)
    development = make_test_app(database_url, tmp_path, TESTING=False, ENV_NAME="development")
    try:
        hsts = production.test_client().get("/health").headers["Strict-Transport-Security"]
        assert hsts == "max-age=31536000; includeSubDomains"
        assert "Strict-Transport-Security" not in development.test_client().get("/health").headers
    finally:  # their own engines: closed here, not left open for the garbage collector to find in a later test
        for app in (production, development):
            app.extensions["stockpile.engine"].dispose()


def test_api_answers_and_files_are_not_stored(client, api_as, as_role, db) -> None:
    assert client.get("/api/v1/items", headers=api_as("admin")).headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/items").headers["Cache-Control"] == "no-store"  # the 401 too
    assert client.get("/api/v1/openapi.json").headers["Cache-Control"] == "no-store"
    assert as_role("logistics").get("/inventory/stock.csv").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("value", "testing", "secure"), [("false", False, False), ("true", True, True)])
def test_the_session_cookie_setting_is_honoured(monkeypatch, tmp_path, value, testing, secure) -> None:
    monkeypatch.setenv("STOCKPILE_SESSION_COOKIE_SECURE", value)
    app = create_app({"SECRET_KEY": "x", "DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}", "TESTING": testing})
    assert app.config["SESSION_COOKIE_SECURE"] is secure
    assert app.config["REMEMBER_COOKIE_SECURE"] is secure


def test_the_secret_key_file_is_created_with_mode_600_from_the_start(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("STOCKPILE_SECRET_KEY", raising=False)
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path / "instance"))
    opened = []
    real_open = os.open

    def recording_open(path, flags, mode=0o777, *args, **kwargs):
        if str(path).endswith("secret_key"):
            opened.append((flags & os.O_EXCL, mode))
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", recording_open)
    old_umask = os.umask(0)  # even with a permissive umask the file is never readable by others
    try:
        create_app({"DATABASE_URL": "sqlite://"})
    finally:
        os.umask(old_umask)
    assert opened == [(os.O_EXCL, 0o600)]
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o777 == 0o600
