"""Request lists and pages read their lines and history in a fixed number of statements, however many rows.

The statements are counted on the test's connection (an SQLAlchemy event listener), so a lazy load per row (N+1)
shows up as a count that grows with the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from stockpile.requests import services
from tests.requests.helpers import submitted


@contextmanager
def counted(db) -> Iterator[list[str]]:
    """The SQL statements run on the test's connection inside the block."""
    statements: list[str] = []
    connection = db.get_bind()

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", count)


@pytest.fixture
def requests_with_history(db, users, stock):
    """`n` requests of two lines each, approved (unless asked not to), so each has lines and history."""

    def make(n: int, *, approved: bool = True) -> None:
        for _ in range(n):
            request = submitted(users["region"], stock.process, [(stock.item, 2), (stock.gloves, 1)])
            if approved:
                services.approve(request, users["continuity"], {line.id: (line.quantity_requested, "")
                                                                for line in request.lines})
        db.expire_all()

    return make


def _statements(client, db, path: str, headers=None) -> int:
    with counted(db) as statements:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return len(statements)


def test_a_page_of_fifty_requests_costs_what_a_page_of_five_costs(client, api_as, db, requests_with_history) -> None:
    headers = api_as("continuity")
    requests_with_history(5)
    client.get("/api/v1/requests", headers=headers)  # the token's first use records it (then at most every 5 min)
    five = _statements(client, db, "/api/v1/requests?page_size=50", headers)
    requests_with_history(45)
    fifty = _statements(client, db, "/api/v1/requests?page_size=50", headers)
    assert fifty == five
    assert fifty <= 8  # token, user, count, page, lines (with items); no statement per request


def test_the_list_leaves_history_to_the_detail(client, api_as, db, requests_with_history) -> None:
    requests_with_history(1)
    headers = api_as("continuity")
    listed = client.get("/api/v1/requests", headers=headers).json[0]
    assert "history" not in listed
    assert [line["item_code"] for line in listed["lines"]] == ["FFP2", "GLOVE"]
    detail = client.get(f"/api/v1/requests/{listed['id']}", headers=headers).json
    assert [step["to_state"] for step in detail["history"]] == ["submitted", "approved"]
    assert {key: value for key, value in detail.items() if key != "history"} == listed


@pytest.mark.parametrize(("role", "path", "approved"), [
    ("continuity", "/requests", True), ("continuity", "/review", False), ("logistics", "/review/picking", True),
])
def test_request_pages_read_lines_once_for_every_row(as_role, db, requests_with_history, role, path,
                                                     approved) -> None:
    page = as_role(role)
    requests_with_history(2, approved=approved)
    few = _statements(page, db, path)
    requests_with_history(20, approved=approved)
    many = _statements(page, db, path)
    assert many == few


def test_create_and_submit_in_one_call(client, api_as, db, stock) -> None:
    body = {"essential_process_id": stock.process.id, "needed_by": "2099-01-01", "justification": "Outbreak",
            "contact": "Piet 06-1", "delivery_address": "Utrecht", "submit": True,
            "lines": [{"item_id": stock.item.id, "quantity": 5}, {"item_id": stock.gloves.id, "quantity": 3}]}
    with counted(db) as statements:
        created = client.post("/api/v1/requests", headers=api_as("region"), json=body)
    assert created.status_code == 201, created.json
    assert created.json["state"] == "submitted"
    assert [step["to_state"] for step in created.json["history"]] == ["submitted"]
    assert _request_updates(statements) == 1
    draft = client.post("/api/v1/requests", headers=api_as("region"), json={**body, "submit": False})
    assert draft.json["state"] == "draft"


def _request_updates(statements: list[str]) -> int:
    return sum(s.lstrip().upper().startswith("UPDATE REQUESTS ") for s in statements)


def test_each_state_change_is_one_guarded_update(db, users, stock) -> None:
    request = submitted(users["region"], stock.process, [(stock.item, 2)])
    line = request.lines[0].id
    steps = [
        lambda: services.approve(request, users["continuity"], {line: (2, "")}),
        lambda: services.pick(request, users["logistics"]),
        lambda: services.ship(request, users["logistics"], "DHL", "JD1"),
        lambda: services.confirm_receipt(request, users["region"], {line: (2, "")}),
    ]
    for step in steps:
        with counted(db) as statements:
            step()
            db.flush()
        assert _request_updates(statements) == 1, statements
    db.expire_all()
    assert (request.state.value, request.carrier, request.shipment_reference) == ("delivered", "DHL", "JD1")
    assert request.reviewed_by_id == users["continuity"].id
    assert request.delivered_at is not None
