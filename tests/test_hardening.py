"""Security headers, the audit log page and append-only history in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from stockpile.audit import AuditEvent
from stockpile.auth.models import Role
from tests import factories
from tests.conftest import make_test_app
from tests.inventory.helpers import receive


def test_pages_carry_security_headers(client) -> None:
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "<script" not in response.text


def test_session_cookie_is_secure_httponly_and_lax_in_production(database_url, tmp_path, db) -> None:
    app = make_test_app(database_url, tmp_path, TESTING=False)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_DURATION"] == 0


def test_sign_ins_and_failures_are_in_the_audit_log_page_and_csv(app, as_role, db) -> None:
    user = factories.user(Role.LOGISTICS)
    browser = app.test_client()
    browser.post("/login", data={"email": user.email, "password": "wrong guess"})
    browser.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    admin = as_role("admin")
    page = admin.get("/admin/audit?action=auth.")
    assert page.status_code == 200
    assert "auth.login_failed" in page.text
    assert "auth.login" in page.text
    csv = admin.get("/admin/audit/export.csv?action=auth.login_failed")
    assert csv.text.splitlines()[0] == '"id","at_utc","actor","action","object_type","object_id","details"'
    assert all("auth.login_failed" in line for line in csv.text.splitlines()[1:])
    assert as_role("logistics").get("/admin/audit").status_code == 403


@pytest.mark.parametrize("statement", [
    "UPDATE stock_movements SET quantity = quantity + 1",
    "DELETE FROM stock_movements",
    "UPDATE audit_events SET action = 'nothing'",
    "DELETE FROM audit_events",
])
def test_the_database_refuses_to_rewrite_history(db, statement) -> None:
    item, warehouse = factories.item(), factories.warehouse()
    receive(item, warehouse, 10)
    assert db.scalar(select(func.count()).select_from(AuditEvent)) > 0
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text(statement))


@pytest.mark.parametrize("text", ["bad\x00byte", "lone \ud800 surrogate"])
def test_text_no_database_can_store_is_refused_by_field(client, api_as, as_role, db, text) -> None:
    body = {"code": "X-1", "name": text, "category": "hand", "unit_of_issue": "piece"}
    response = client.post("/api/v1/items", headers=api_as("admin"), json=body)
    assert response.status_code == 422
    assert "name" in response.json["errors"]
    if "\x00" not in text:
        return  # a form or URL cannot even carry a lone surrogate; JSON escapes can
    page = as_role("admin").post("/admin/items/new", data={**body, "name": "ok", "en_standard": text})
    assert page.status_code == 422
    query = client.get("/api/v1/items", headers=api_as("admin"), query_string={"page": text})
    assert query.status_code == 422
