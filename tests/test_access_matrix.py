"""Every route of the URL map against every role and anonymous: who may, who may not.

The table below is written by hand, independently of the decorators in the code. A route that is missing
from it fails the test, so a new page or endpoint cannot be added without deciding who may use it.
"""

from __future__ import annotations

import re

import pytest

from stockpile.requests import services as request_services
from tests import factories
from tests.conftest import sign_in
from tests.inventory.helpers import receive
from tests.requests.helpers import draft_data

ALL = "region logistics continuity admin"
READ_STOCK = "logistics continuity admin"
BOOK = "logistics admin"
EXPECTED = """
GET  /                                   ALL
GET  /admin/<slug>                        admin
GET  /admin/<slug>/<id>                   admin
POST /admin/<slug>/<id>                   admin
GET  /admin/<slug>/new                    admin
POST /admin/<slug>/new                    admin
GET  /account/password                     ALL
POST /account/password                     ALL
GET  /account/tokens                       ALL
POST /account/tokens                       ALL
POST /account/tokens/<id>/revoke           ALL
GET  /admin/tokens                        admin
GET  /admin/audit                         admin
GET  /admin/audit/export.<fmt>            admin
GET  /admin/users                         admin
GET  /admin/users/<id>                    admin
POST /admin/users/<id>                    admin
POST /admin/users/<id>/active             admin
POST /admin/users/<id>/password           admin
GET  /admin/users/new                     admin
POST /admin/users/new                     admin
GET  /api/v1/allocations                  continuity admin logistics
POST /api/v1/allocations                  continuity
GET  /api/v1/deliveries                   READ_STOCK
POST /api/v1/deliveries                   BOOK
POST /api/v1/deliveries/<id>/status       BOOK
GET  /api/v1/essential-processes          ALL
POST /api/v1/essential-processes          admin
GET  /api/v1/essential-processes/<id>     ALL
PATCH /api/v1/essential-processes/<id>    admin
GET  /api/v1/forecast/flags               continuity admin logistics
POST /api/v1/forecast/items/<id>/acknowledgement continuity admin
DELETE /api/v1/forecast/items/<id>/acknowledgement continuity admin
GET  /api/v1/forecast/items/<id>/flag-history continuity admin logistics
GET  /api/v1/forecast/items/<id>/forecast continuity admin
GET  /api/v1/forecast/items/<id>/projection continuity admin
GET  /api/v1/forecast/runs                continuity admin
POST /api/v1/forecast/runs                continuity admin
GET  /api/v1/forecast/runs/<id>           continuity admin
POST /api/v1/forecast/runs/<id>/cancel    continuity admin
GET  /api/v1/forecast/runs/<id>/log       continuity admin
GET  /api/v1/insight/equity               continuity admin
GET  /api/v1/insight/equity/requests      continuity admin
GET  /api/v1/insight/process-risk         continuity admin
GET  /api/v1/insight/rotation             READ_STOCK
POST /api/v1/insight/rotation/take        BOOK
GET  /api/v1/items                        ALL
POST /api/v1/items                        admin
GET  /api/v1/items/<id>                   ALL
PATCH /api/v1/items/<id>                  admin
GET  /api/v1/lots                         READ_STOCK
GET  /api/v1/lots/<id>                    READ_STOCK
POST /api/v1/lots/<id>/status             BOOK
GET  /api/v1/movements                    READ_STOCK
POST /api/v1/movements                    BOOK
GET  /api/v1/movements/<id>               READ_STOCK
POST /api/v1/movements/<id>/reverse       BOOK
GET  /api/v1/notifications                ALL
POST /api/v1/notifications/<id>/read      ALL
GET  /api/v1/notifications/preferences    ALL
PUT  /api/v1/notifications/preferences    ALL
POST /api/v1/notifications/read-all       ALL
GET  /api/v1/notifications/unread-count   ALL
GET  /api/v1/openapi.json                 public
GET  /api/v1/policy                       continuity admin
GET  /api/v1/policy/decisions             continuity admin
POST /api/v1/policy/min-shelf-life        continuity
POST /api/v1/policy/phase                 continuity
GET  /api/v1/policy/versions              continuity admin
GET  /api/v1/regions                      ALL
POST /api/v1/regions                      admin
GET  /api/v1/regions/<id>                 ALL
PATCH /api/v1/regions/<id>                admin
GET  /api/v1/requests                     ALL
POST /api/v1/requests                     region
GET  /api/v1/requests/<id>                ALL
PUT  /api/v1/requests/<id>                region
POST /api/v1/requests/<id>/approve        continuity
POST /api/v1/requests/<id>/cancel         region continuity
POST /api/v1/requests/<id>/confirm        region
POST /api/v1/requests/<id>/pick           logistics
POST /api/v1/requests/<id>/reject         continuity
POST /api/v1/requests/<id>/ship           logistics
POST /api/v1/requests/<id>/submit         region
GET  /api/v1/stock                        READ_STOCK
GET  /api/v1/stock/picking-proposal       READ_STOCK
GET  /api/v1/warehouses                   ALL
POST /api/v1/warehouses                   admin
GET  /api/v1/warehouses/<id>              ALL
PATCH /api/v1/warehouses/<id>             admin
GET  /forecast/                           continuity admin
GET  /forecast/deliveries                 READ_STOCK
POST /forecast/deliveries/<id>/<status>   BOOK
GET  /forecast/deliveries/new             BOOK
POST /forecast/deliveries/new             BOOK
GET  /forecast/items/<id>                 continuity admin
POST /forecast/items/<id>/acknowledge     continuity admin
POST /forecast/items/<id>/acknowledgement/withdraw continuity admin
GET  /forecast/runs                       continuity admin
GET  /forecast/runs/<id>                  continuity admin
POST /forecast/runs/<id>/cancel           continuity admin
POST /forecast/runs/start                 continuity admin
GET  /health                              public
GET  /insight/equity                      continuity admin
GET  /insight/equity.<fmt>                continuity admin
GET  /insight/equity/requests             continuity admin
GET  /insight/risk                        continuity admin
GET  /insight/rotation                    READ_STOCK
POST /insight/rotation/<id>/<id>          BOOK
GET  /inventory/book/<kind>               BOOK
POST /inventory/book/<kind>               BOOK
GET  /inventory/expiring                  READ_STOCK
GET  /inventory/expiring.<fmt>            READ_STOCK
GET  /inventory/import                    BOOK
POST /inventory/import                    BOOK
GET  /inventory/import/template.<fmt>     BOOK
GET  /inventory/items/<id>                READ_STOCK
GET  /inventory/ledger                    READ_STOCK
GET  /inventory/ledger.<fmt>              READ_STOCK
GET  /inventory/lots/<id>                 READ_STOCK
GET  /inventory/lots/<id>/status          BOOK
POST /inventory/lots/<id>/status          BOOK
GET  /inventory/movements/<id>/reverse    BOOK
POST /inventory/movements/<id>/reverse    BOOK
GET  /inventory/stock                     READ_STOCK
GET  /inventory/stock.<fmt>               READ_STOCK
GET  /inventory/warehouses                READ_STOCK
GET  /inventory/warehouses/<id>           READ_STOCK
POST /language                            public
GET  /login                               public
POST /login                               public
POST /logout                              ALL
GET  /notifications                       ALL
GET  /notifications/<id>                  ALL
POST /notifications/<id>/read             ALL
GET  /notifications/preferences           ALL
POST /notifications/preferences           ALL
POST /notifications/read-all              ALL
GET  /policy                              continuity admin
GET  /policy/decisions                    continuity admin
GET  /policy/decisions.<fmt>              continuity admin
GET  /policy/log.<fmt>                    continuity admin
POST /policy/phase                        continuity
POST /policy/shelf-life                   continuity
GET  /requests                            ALL
GET  /requests/<id>                       ALL
POST /requests/<id>/cancel                region continuity
GET  /requests/<id>/confirm               region
POST /requests/<id>/confirm               region
GET  /requests/<id>/edit                  region
POST /requests/<id>/edit                  region
POST /requests/<id>/submit                region
GET  /requests/new                        region
POST /requests/new                        region
GET  /review                              continuity admin
GET  /review/allocations                  continuity admin
POST /review/allocations                  continuity admin
GET  /review/overview                     ALL
GET  /review/overview.<fmt>               ALL
GET  /review/picking                      BOOK
GET  /review/rationing/<id>               continuity
POST /review/rationing/<id>               continuity
GET  /review/requests/<id>                continuity
POST /review/requests/<id>                continuity
GET  /review/requests/<id>/pick           logistics
POST /review/requests/<id>/pick           logistics
POST /review/requests/<id>/ship           logistics
GET  /static/<filename>                   public
"""
ROLES = ["region", "logistics", "continuity", "admin"]
ALIASES = {"ALL": ALL, "READ_STOCK": READ_STOCK, "BOOK": BOOK}


def expectations() -> dict[tuple[str, str], set[str]]:
    table = {}
    for line in EXPECTED.strip().splitlines():
        method, rule, *roles = line.split()
        words = " ".join(ALIASES.get(word, word) for word in roles).split()
        table[(method, rule)] = set(words)
    return table


def simple_rule(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: "<id>" if m.group(1).endswith("_id") else f"<{m.group(1)}>",
                  rule)


def concrete_url(rule: str, request_id: int) -> str:
    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "", match.group(2)
        if name == "request_id":
            return str(request_id)
        if converter.startswith("any("):
            return converter[4:].split(",")[0]
        if name == "filename":
            return "style.css"
        return "1"

    return re.sub(r"<(?:([^:<>]+):)?([^<>]+)>", fill, rule)


def routes(app) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((method, rule.rule))
    return found


def test_every_route_is_in_the_table(app) -> None:
    table = expectations()
    missing = sorted({(m, simple_rule(r)) for m, r in routes(app)} - set(table))
    stale = sorted(set(table) - {(m, simple_rule(r)) for m, r in routes(app)})
    assert missing == [], "routes nobody decided access for"
    assert stale == []


@pytest.fixture
def own_request(db, users):
    item, warehouse = factories.item(), factories.warehouse()
    receive(item, warehouse, 100)
    return request_services.create_draft(users["region"], draft_data(factories.process(), [(item, 5)]))


def call(client, method: str, url: str, headers=None):
    body = {"json": {}} if url.startswith("/api/") and method != "GET" else {}
    response = client.open(url, method=method, headers=headers or {}, **body)
    response.close()  # static files are streamed; close them like a server would
    return response


def test_each_role_gets_exactly_its_routes(app, db, users, own_request, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "FORECAST_WORKERS", 1)
    table = expectations()
    problems = []
    for method, rule in routes(app):
        allowed = table[(method, simple_rule(rule))]
        url = concrete_url(rule, own_request.id)
        api = url.startswith("/api/")
        anonymous = call(app.test_client(), method, url)
        if "public" not in allowed and anonymous.status_code != (401 if api else 302):
            problems.append(f"anonymous {method} {url}: {anonymous.status_code}")
        for role in ROLES:
            db.refresh(users[role])
            status = _as(app, users[role], method, url, api).status_code
            permitted = role in allowed or "public" in allowed
            if permitted and (status in (401, 403) or status >= 500):
                problems.append(f"{role} {method} {url}: {status}, expected access")
            if not permitted and status != 403:
                problems.append(f"{role} {method} {url}: {status}, expected 403")
    assert problems == []


def _as(app, user, method, url, api):
    if api:
        from stockpile.auth.services import create_token

        return call(app.test_client(), method, url, {"Authorization": f"Bearer {create_token(user.email)}"})
    return call(sign_in(app.test_client(), user), method, url)


def test_another_regions_request_is_404_on_every_request_route(app, db, users, own_request) -> None:
    table = expectations()
    other = users["other_region"]
    problems = []
    for method, rule in routes(app):
        if "<id:request_id>" not in rule or "region" not in table[(method, simple_rule(rule))]:
            continue
        url = concrete_url(rule, own_request.id)
        status = _as(app, other, method, url, url.startswith("/api/")).status_code
        if status != 404:
            problems.append(f"other region {method} {url}: {status}")
    assert problems == []


@pytest.mark.parametrize(("method", "url", "field"), [
    ("post", "/api/v1/movements", "user_id"),
    ("post", "/api/v1/movements", "reserved"),
    ("post", "/api/v1/movements", "created_at"),
    ("post", "/api/v1/items", "id"),
    ("patch", "/api/v1/items/1", "id"),
    ("post", "/api/v1/requests", "state"),
    ("post", "/api/v1/requests", "region_id"),
    ("post", "/api/v1/allocations", "used"),
])
def test_fields_a_client_must_not_set_are_refused_by_name(client, api_as, users, method, url, field) -> None:
    role = {"/api/v1/movements": "logistics", "/api/v1/requests": "region", "/api/v1/allocations": "continuity"}
    headers = api_as(role.get(url, "admin"))
    response = getattr(client, method)(url, headers=headers, json={field: 1})
    assert response.status_code == 422
    assert field in response.json["errors"]
