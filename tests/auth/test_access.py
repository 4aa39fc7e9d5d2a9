"""The role guard: anonymous users, wrong roles, and that no endpoint is left unguarded."""

from __future__ import annotations

import pytest

from stockpile.auth.guard import PUBLIC_ENDPOINTS

ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/items", "/admin/items/new", "/admin/warehouses",
               "/admin/processes", "/admin/regions"]


@pytest.mark.parametrize("path", ["/", *ADMIN_PAGES])
def test_anonymous_visitor_is_sent_to_sign_in(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ["/api/v1/items", "/api/v1/regions", "/api/v1/warehouses",
                                  "/api/v1/essential-processes"])
def test_anonymous_api_call_gets_401_json(client, path) -> None:
    response = client.get(path)
    assert response.status_code == 401
    assert response.json["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("role", ["region", "logistics", "continuity"])
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_non_admin_roles_cannot_reach_admin_pages(as_role, role, path) -> None:
    assert as_role(role).get(path).status_code == 403


@pytest.mark.parametrize("role", ["region", "logistics", "continuity"])
def test_non_admin_roles_cannot_write_reference_data_through_the_api(client, api_as, role) -> None:
    response = client.post("/api/v1/items", headers=api_as(role), json={"code": "X"})
    assert response.status_code == 403
    assert response.json["code"] == "forbidden"


def test_every_endpoint_is_public_by_name_or_declares_its_roles(app) -> None:
    unguarded = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        if view_class is not None:
            methods = [getattr(view_class, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}]
            if not all(hasattr(method, "required_roles") for method in methods):
                unguarded.append(rule.rule)
        elif not hasattr(view, "required_roles"):
            unguarded.append(rule.rule)
    assert unguarded == []
