"""The request boundary commits when no exception escaped the view, whatever the status; a refusal a page shows
undoes only the refused call (its savepoint), and an escaped exception undoes the whole request.

A throwaway app on the migrated test database gets one public probe page; it writes scheduler-lease rows (a
table without append-only triggers, so the test can clean up) and the test reads what was committed through a
connection of its own.
"""

from __future__ import annotations

import uuid

import pytest
from flask import Blueprint
from sqlalchemy import delete, select

from stockpile.auth import guard
from stockpile.db import make_engine, session, utcnow
from stockpile.errors import Conflict
from stockpile.ops.leases import Lease
from stockpile.web.forms import attempt
from tests.conftest import make_test_app

# how the probe ends -> (status it answers, leases written before/inside/after that survive)
EXPECTED = {
    "refused-inside-savepoint": (422, {"before", "after"}),
    "answers-422-without-exception": (422, {"before", "inside", "after"}),
    "exception-escapes": (409, set()),
    "succeeds": (200, {"before", "inside", "after"}),
}


def _lease(name: str) -> None:
    session().add(Lease(name=name, holder="probe", fire_key="probe", acquired_at=utcnow(), expires_at=utcnow()))
    session().flush()


def _probe_blueprint() -> Blueprint:
    bp = Blueprint("probe", __name__)

    @bp.route("/probe/<tag>/<how>", methods=["POST"])
    def probe(tag: str, how: str) -> tuple[str, int]:
        _lease(f"{tag}-before")
        with attempt() as outcome:
            _lease(f"{tag}-inside")
            if how == "refused-inside-savepoint":
                raise Conflict("refused")
        _lease(f"{tag}-after")
        if how == "exception-escapes":
            raise Conflict("refused, and nothing of this request is kept")
        status = 422 if how == "answers-422-without-exception" or outcome.error else 200
        return "done", status

    return bp


@pytest.fixture
def probe(database_url, tmp_path, monkeypatch):
    monkeypatch.setattr(guard, "PUBLIC_ENDPOINTS", {*guard.PUBLIC_ENDPOINTS, "probe.probe"})
    app = make_test_app(database_url, tmp_path)
    app.register_blueprint(_probe_blueprint())
    engine = make_engine(database_url)
    tag = uuid.uuid4().hex[:12]

    def committed() -> set[str]:
        with engine.connect() as connection:
            names = connection.scalars(select(Lease.name).where(Lease.name.startswith(tag)))
            return {name.removeprefix(f"{tag}-") for name in names}

    try:
        yield app.test_client(), tag, committed
    finally:
        with engine.begin() as connection:
            connection.execute(delete(Lease).where(Lease.name.startswith(tag)))
        engine.dispose()
        app.extensions["stockpile.engine"].dispose()


@pytest.mark.parametrize("how", list(EXPECTED))
def test_the_boundary_keeps_what_the_request_meant_to_keep(probe, how) -> None:
    client, tag, committed = probe
    status, kept = EXPECTED[how]
    response = client.post(f"/probe/{tag}/{how}")
    assert response.status_code == status
    assert committed() == kept
