"""Opposite transfers of one lot at once (A to B and B to A) through the API: no deadlock reaches a client, no 503,
and the balances equal the ledger. Threads with their own connections to a committed database of each backend."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import select

from stockpile import create_app
from stockpile.auth import services as auth_services
from stockpile.auth.models import Role
from stockpile.db import transaction
from stockpile.inventory import queries, services
from stockpile.inventory.models import StockBalance
from stockpile.ops import migrate
from tests import factories
from tests.databases import backends, fresh_database
from tests.inventory.helpers import receive

THREADS = 8
TRANSFERS = 6


@pytest.mark.parametrize("kind", backends())
def test_opposite_transfers_of_one_lot_never_answer_503_and_balances_stay_right(kind, tmp_path) -> None:
    with fresh_database(kind, tmp_path) as url:
        migrate.upgrade(url)
        # SQLite serialises the writers; on a loaded test machine eight of them can queue longer than the 5 s
        # default busy timeout, which is not what this test is about.
        app = create_app({"TESTING": True, "SECRET_KEY": "transfers", "DATABASE_URL": url,
                          "SQLITE_BUSY_TIMEOUT_SECONDS": 60})
        try:
            with app.app_context(), transaction():
                item, east, west = factories.item(), factories.warehouse(), factories.warehouse()
                lot = receive(item, east, 500).lot
                services.transfer(lot_id=lot.id, warehouse_id=east.id, to_warehouse_id=west.id, quantity=250,
                                  reason="spread", user_id=None)
                token = auth_services.create_token(factories.user(Role.LOGISTICS).email)
                lot_id, ids = lot.id, (east.id, west.id)
            statuses, start = Counter[tuple[int, str | None]](), threading.Barrier(THREADS)

            def shuttle(number: int) -> None:
                source, target = ids if number % 2 else ids[::-1]
                client = app.test_client()
                start.wait()
                for _ in range(TRANSFERS):
                    response = client.post("/api/v1/movements", headers={"Authorization": f"Bearer {token}"},
                                           json={"type": "transfer", "lot_id": lot_id, "warehouse_id": source,
                                                 "to_warehouse_id": target, "quantity": 1, "reason": "rebalance"})
                    statuses[response.status_code, (response.json or {}).get("code")] += 1

            threads = [threading.Thread(target=shuttle, args=(n,)) for n in range(THREADS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            with app.app_context(), transaction() as session:
                on_hand = dict(session.execute(
                    select(StockBalance.warehouse_id, StockBalance.on_hand).where(StockBalance.lot_id == lot_id)).all())
                differences = queries.check_ledger()
        finally:
            app.extensions["stockpile.engine"].dispose()
    assert statuses == {(201, None): THREADS * TRANSFERS}
    assert on_hand == {ids[0]: 250, ids[1]: 250}  # as many moved each way
    assert differences == []
