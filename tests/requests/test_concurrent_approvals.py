"""Two reviewers approving at once, in separate OS processes, never reserve more than there is."""

from __future__ import annotations

import multiprocessing as mp
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import select

from stockpile import create_app
from stockpile.auth.models import Role, User
from stockpile.db import session, transaction
from stockpile.errors import DomainError
from stockpile.inventory.models import StockBalance
from stockpile.inventory.queries import check_ledger
from stockpile.ops import migrate
from stockpile.requests import services
from stockpile.requests.models import RequestState, SupplyRequest
from tests import factories
from tests.conftest import TEST_CONFIG
from tests.databases import backends, fresh_database
from tests.inventory.helpers import receive
from tests.requests.helpers import submitted

WORKERS = 4


@contextmanager
def _app(url: str, instance: str):
    """An app context on the shared database whose connections are closed afterwards."""
    app = create_app({**TEST_CONFIG, "DATABASE_URL": url, "SQLITE_BUSY_TIMEOUT_SECONDS": 60})
    app.instance_path = instance
    try:
        with app.app_context():
            yield app
    finally:
        app.extensions["stockpile.engine"].dispose()


def _arrange(url: str, instance: str, requests: int, asked: int, stock: int) -> list[tuple[int, int, int]]:
    """Commit stock, reviewers and submitted requests; return (request id, line id, reviewer id) per worker."""
    with _app(url, instance), transaction():
        item, warehouse, process = factories.item(), factories.warehouse(), factories.process()
        receive(item, warehouse, stock)
        region = factories.user(Role.REGION, region_code="VR09")
        reviewers = [factories.user(Role.CONTINUITY) for _ in range(WORKERS)]
        made = [submitted(region, process, [(item, asked)]) for _ in range(requests)]
        return [(made[n % requests].id, made[n % requests].lines[0].id, reviewers[n].id) for n in range(WORKERS)]


def _approve(url: str, instance: str, job: tuple[int, int, int], quantity: int, barrier, results) -> None:
    request_id, line_id, reviewer_id = job
    with _app(url, instance):
        barrier.wait()
        try:
            with transaction():
                request = session().get(SupplyRequest, request_id)
                services.approve(request, session().get(User, reviewer_id), {line_id: (quantity, "")})
            results.put(("approved", request_id))
        except DomainError as error:
            results.put(("refused", error.message))


def _run(url: str, instance: str, jobs, quantity: int) -> list[tuple[str, object]]:
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(len(jobs)), ctx.Queue()
    procs = [ctx.Process(target=_approve, args=(url, instance, job, quantity, barrier, results)) for job in jobs]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    return outcomes


def _reserved_and_on_hand(url: str, instance: str) -> tuple[int, int, list]:
    with _app(url, instance):
        rows = session().execute(select(StockBalance.reserved, StockBalance.on_hand)).all()
        return sum(r for r, _ in rows), sum(o for _, o in rows), check_ledger()


@pytest.mark.parametrize("kind", backends())
def test_simultaneous_approvals_of_different_requests_never_over_reserve(kind, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as url:
        migrate.upgrade(url)
        jobs = _arrange(url, str(tmp_path), requests=WORKERS, asked=60, stock=100)
        outcomes = _run(url, str(tmp_path), jobs, quantity=60)
        approved = [o for o in outcomes if o[0] == "approved"]
        refused = [o for o in outcomes if o[0] == "refused"]
        assert len(approved) == 1
        assert len(refused) == WORKERS - 1
        assert all("Only 40 of 60 units" in str(message) for _, message in refused)
        reserved, on_hand, differences = _reserved_and_on_hand(url, str(tmp_path))
        assert (reserved, on_hand, differences) == (60, 100, [])


@pytest.mark.parametrize("kind", backends())
def test_two_reviewers_approving_the_same_request_at_once_decide_it_once(kind, tmp_path: Path) -> None:
    with fresh_database(kind, tmp_path) as url:
        migrate.upgrade(url)
        jobs = _arrange(url, str(tmp_path), requests=1, asked=30, stock=100)
        outcomes = _run(url, str(tmp_path), jobs, quantity=30)
        assert sorted(o[0] for o in outcomes) == ["approved"] + ["refused"] * (WORKERS - 1)
        assert all("is approved and cannot become approved" in str(m) for kind_, m in outcomes if kind_ == "refused")
        reserved, _on_hand, differences = _reserved_and_on_hand(url, str(tmp_path))
        assert (reserved, differences) == (30, [])
        with _app(url, str(tmp_path)):
            request = session().scalar(select(SupplyRequest))
            assert request.state is RequestState.APPROVED
            assert len([h for h in request.history if h.to_state is RequestState.APPROVED]) == 1
