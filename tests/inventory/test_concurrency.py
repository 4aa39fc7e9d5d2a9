"""Eight OS processes booking the same lot at once: the guarded update never oversells, the naive one does.

Each worker is a real process (multiprocessing, "spawn") with its own app and its own connections to a committed
database, a SQLite file or a fresh PostgreSQL database, so the database alone keeps them apart.
"""

from __future__ import annotations

import multiprocessing
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text

from stockpile import create_app
from stockpile.db import transaction
from stockpile.errors import Conflict
from stockpile.inventory import queries, services
from stockpile.inventory.models import StockBalance, StockMovement
from stockpile.ops import migrate
from tests import factories
from tests.databases import backends, fresh_database
from tests.inventory.helpers import receive

WORKERS = 8
ATTEMPTS = 8
RECEIVED = 40  # fewer units than WORKERS * ATTEMPTS asks for, so the lot runs out mid-race
APP_CONFIG = {"TESTING": True, "SECRET_KEY": "concurrency-test"}


@pytest.fixture(params=backends())
def database(request, tmp_path) -> Iterator[str]:
    """A committed, migrated database of each backend, holding one released lot of RECEIVED units."""
    with fresh_database(request.param, tmp_path) as url:
        migrate.upgrade(url)
        yield url


@contextmanager
def app_on(url: str) -> Iterator[Flask]:
    """An app of the test process on the race's database, its connections closed afterwards."""
    app = create_app({**APP_CONFIG, "DATABASE_URL": url})
    try:
        yield app
    finally:
        app.extensions["stockpile.engine"].dispose()


def arrange_lot(url: str) -> tuple[int, int]:
    """Commit one item, one warehouse and a released lot of RECEIVED units there."""
    with app_on(url) as app, app.app_context(), transaction():
        warehouse = factories.warehouse(code="WH-RACE")
        lot = receive(factories.item(), warehouse, RECEIVED, lot_number="L-RACE").lot
        return lot.id, warehouse.id


def guarded_issue(url: str, lot_id: int, warehouse_id: int, key: str | None) -> int:
    """The real thing: the service layer in one transaction per booking; returns the movement id."""
    with transaction():
        movement = services.issue(lot_id=lot_id, warehouse_id=warehouse_id, quantity=1, reason="race",
                                  user_id=None, idempotency_key=key)
        return movement.id


def naive_issue(url: str, lot_id: int, warehouse_id: int, key: str | None) -> int:
    """A deliberately wrong booking: read the balance, check it, write the new value back.

    It uses a plain engine without the BEGIN IMMEDIATE recipe (pysqlite's deferred transactions, PostgreSQL's
    READ COMMITTED), as code that ignores STYLE.md would. The sleep stands for the work a request does between
    reading and writing; it widens the window the guarded update does not have.
    """
    engine = _plain_engines.setdefault(url, create_engine(url))
    with engine.connect() as conn:
        on_hand = conn.execute(text("SELECT on_hand FROM stock_balances WHERE lot_id = :lot AND warehouse_id = :wh"),
                               {"lot": lot_id, "wh": warehouse_id}).scalar_one()
        if on_hand < 1:
            raise Conflict(f"Only {on_hand} of 1 units free in lot L-RACE at WH-RACE.")
        time.sleep(0.002)
        conn.execute(text("UPDATE stock_balances SET on_hand = :new WHERE lot_id = :lot AND warehouse_id = :wh"),
                     {"new": on_hand - 1, "lot": lot_id, "wh": warehouse_id})
        conn.commit()
    return 0


_plain_engines: dict[str, Any] = {}
BOOKERS = {"guarded": guarded_issue, "naive": naive_issue}


def crew_member(tasks: Any, barrier: Any, results: Any) -> None:
    """One worker process: for each race, its own app, then ATTEMPTS bookings once every worker is ready."""
    for url, booker, lot_id, warehouse_id, key in iter(tasks.get, None):
        app = create_app({**APP_CONFIG, "DATABASE_URL": url})
        booked: list[int] = []
        refusals: list[str] = []
        others: list[str] = []
        with app.app_context():
            barrier.wait(timeout=60)
            for _ in range(ATTEMPTS):
                try:
                    booked.append(BOOKERS[booker](url, lot_id, warehouse_id, key))
                except Conflict as error:
                    refusals.append(error.message)
                except Exception as error:  # any other outcome is what the test must report
                    others.append(repr(error))
        app.extensions["stockpile.engine"].dispose()
        if url in _plain_engines:
            _plain_engines.pop(url).dispose()
        results.put((booked, refusals, others))


@pytest.fixture(scope="module")
def crew() -> Iterator[tuple[list[Any], Any]]:
    """WORKERS spawned processes, started once for the module because starting Python eight times is the slow part."""
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(WORKERS), ctx.Queue()
    queues = [ctx.Queue() for _ in range(WORKERS)]
    processes = [ctx.Process(target=crew_member, args=(queue, barrier, results)) for queue in queues]
    for process in processes:
        process.start()
    yield queues, results
    for queue in queues:
        queue.put(None)
    for process in processes:
        process.join(timeout=30)
        assert process.exitcode == 0


def race(crew: tuple[list[Any], Any], url: str, booker: str,
         key: str | None = None) -> list[tuple[list[int], list[str], list[str]]]:
    """Let every worker book on one fresh lot at once and collect what each one saw."""
    queues, results = crew
    lot_id, warehouse_id = arrange_lot(url)
    for queue in queues:
        queue.put((url, booker, lot_id, warehouse_id, key))
    return [results.get(timeout=120) for _ in queues]


def ledger_state(url: str) -> tuple[int, int, list[Any], int]:
    """Units issued by the ledger, the lowest balance, the ledger check and the movement count."""
    with app_on(url) as app, app.app_context(), transaction() as sess:
        issued = sess.scalar(select(func.coalesce(func.sum(StockMovement.quantity), 0))
                             .where(StockMovement.type == "issue"))
        lowest = sess.scalar(select(func.min(StockBalance.on_hand)))
        return int(issued or 0), int(lowest or 0), queries.check_ledger(), \
            sess.scalar(select(func.count()).select_from(StockMovement)) or 0


def check_ledger_cli(url: str) -> Any:
    """Run `stockpile check-ledger` against the database the workers used."""
    with app_on(url) as app:
        return app.test_cli_runner().invoke(args=["check-ledger"])


def test_eight_processes_issuing_one_lot_never_oversell(crew, database) -> None:
    outcomes = race(crew, database, "guarded")
    booked = [mid for done, _refused, _other in outcomes for mid in done]
    refusals = [msg for _done, refused, _other in outcomes for msg in refused]
    assert [other for _d, _r, others in outcomes for other in others] == []
    assert len(booked) + len(refusals) == WORKERS * ATTEMPTS  # every attempt booked or was refused
    assert len(booked) == RECEIVED
    assert len(set(booked)) == RECEIVED
    assert refusals
    assert all(re.fullmatch(r"Only 0 of 1 units free in lot L-RACE at WH-RACE\.", msg) for msg in refusals)
    issued, lowest, differences, _count = ledger_state(database)
    assert (issued, lowest, differences) == (RECEIVED, 0, [])
    result = check_ledger_cli(database)
    assert result.exit_code == 0, result.output
    assert "ledger and balances agree (1 balances checked)" in result.output


def test_the_harness_catches_a_naive_read_check_write_booking(crew, database) -> None:
    """Proof that the race above really races: the same harness makes the naive booking oversell."""
    outcomes = race(crew, database, "naive")
    assert [other for _d, _r, others in outcomes for other in others] == []
    booked = sum(len(done) for done, _r, _o in outcomes)
    # Lost updates: more bookings succeeded than units existed, yet the balance says some are still there
    # or went to zero having handed out more than RECEIVED.
    assert booked > RECEIVED


def test_eight_processes_retrying_one_idempotency_key_book_once(crew, database) -> None:
    outcomes = race(crew, database, "guarded", key="order-2291")
    ids = {mid for done, _r, _o in outcomes for mid in done}
    assert [other for _d, _r, others in outcomes for other in others] == []
    # A retry made while the first use is still booking is told so (409) on PostgreSQL; every other gets the one
    # movement that was booked.
    refusals = {message for _d, refused, _o in outcomes for message in refused}
    assert refusals <= {"Another booking with this idempotency key was being made at the same moment. Retry: the "
                        "booking that went through is then returned."}
    assert len(ids) == 1
    issued, lowest, differences, count = ledger_state(database)
    assert (issued, lowest, differences, count) == (1, RECEIVED - 1, [], 2)  # the receipt and one issue
