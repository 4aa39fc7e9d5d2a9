"""Inventory benchmark: bookings per second (API, services, bare baseline) and read times on a generated stock.

    .venv/bin/python bench/inventory_bench.py --small                      # SQLite file in /tmp, a minute
    .venv/bin/python bench/inventory_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench
Full size (the defaults): 200 items, 20 warehouses, 20,000 lots, 1,000,000 movements. On PostgreSQL the script
creates the named database (it must not exist yet) and drops it afterwards; a SQLite file is made in /tmp.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from flask import Flask
from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, insert, select
from sqlalchemy.engine import make_url

from stockpile import create_app
from stockpile.auth import services as auth_services
from stockpile.auth.models import Role
from stockpile.db import local_today, session, transaction, utcnow
from stockpile.inventory import queries, services
from stockpile.inventory.models import Lot, MovementType, QualityStatus, StockBalance, StockMovement
from stockpile.ops import migrate
from stockpile.reference.models import Item, ItemCategory, Region, Warehouse

CHUNK = 20_000


def generate(items: int, warehouses: int, lots: int, movements: int) -> None:
    """Bulk-insert a stock whose balances equal its ledger: per lot one receipt, then issues."""
    rng = random.Random(2291)
    sess = session()
    region_id = sess.scalar(select(Region.id).limit(1))
    sess.execute(insert(Item), [{"code": f"B-{n:04d}", "name": f"Bench item {n}", "category": ItemCategory.HAND,
                                 "unit_of_issue": "piece"} for n in range(items)])
    sess.execute(insert(Warehouse), [{"code": f"BW-{n:03d}", "name": f"Bench warehouse {n}", "region_id": region_id}
                                     for n in range(warehouses)])
    item_ids = list(sess.scalars(select(Item.id)))
    wh_ids = list(sess.scalars(select(Warehouse.id)))
    today = local_today()
    sess.execute(insert(Lot), [{"item_id": item_ids[n % items], "lot_number": f"BL-{n:06d}", "supplier": "Bench",
                                "expiry_date": today + dt.timedelta(days=rng.randint(5, 1500)), "received_date": today,
                                "quality_status": QualityStatus.RELEASED} for n in range(lots)])
    lot_rows = sess.execute(select(Lot.id, Lot.item_id)).all()
    per_lot = max(movements // lots, 1)
    rows: list[dict[str, Any]] = []
    balances = []
    now = utcnow()
    for lot_id, item_id in lot_rows:
        wh = rng.choice(wh_ids)
        received = per_lot * 10
        issued = 0
        rows.append(_movement(MovementType.RECEIPT, lot_id, None, wh, received, now))
        for _ in range(per_lot - 1):
            qty = rng.randint(1, 5)
            issued += qty
            rows.append(_movement(MovementType.ISSUE, lot_id, wh, None, qty, now))
        balances.append({"lot_id": lot_id, "warehouse_id": wh, "item_id": item_id, "on_hand": received - issued,
                         "reserved": 0})
        if len(rows) >= CHUNK:
            sess.execute(insert(StockMovement), rows)
            rows = []
    if rows:
        sess.execute(insert(StockMovement), rows)
    for start in range(0, len(balances), CHUNK):
        sess.execute(insert(StockBalance), balances[start:start + CHUNK])


def _movement(kind: MovementType, lot: int, src: int | None, dst: int | None, qty: int,
              at: dt.datetime) -> dict[str, Any]:
    return {"type": kind, "lot_id": lot, "from_warehouse_id": src, "to_warehouse_id": dst, "quantity": qty,
            "reason": "bench", "reference": "", "created_at": at}


def interleaved_rates(n: int, rounds: int, **books: Any) -> dict[str, float]:
    """Calls per second of each booking function, n calls each, run in alternating rounds.

    Alternating spreads any drift of the machine (other processes, a checkpoint, the page cache) over every
    contender, so the ratios compare like with like.
    """
    spent = dict.fromkeys(books, 0.0)
    done = dict.fromkeys(books, 0)
    per_round = -(-n // rounds)
    for _ in range(rounds):
        for name, book in books.items():
            start = time.perf_counter()
            for i in range(done[name], min(done[name] + per_round, n)):
                book(i)
            spent[name] += time.perf_counter() - start
            done[name] = min(done[name] + per_round, n)
    return {name: n / spent[name] for name in books}


def timed_ms(call: Any, repeat: int = 7) -> float:
    """Median milliseconds of a call, after one warm-up call."""
    call()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def bare_app(url: str) -> tuple[Flask, Table, Engine]:
    """The baseline: Flask and SQLAlchemy inserting one row per request, nothing else."""
    from stockpile.db import make_engine

    engine = make_engine(url)
    table = Table("bench_bare", MetaData(), Column("id", Integer, primary_key=True), Column("note", String(40)))
    table.create(engine, checkfirst=True)
    app = Flask("bare")

    @app.post("/insert")
    def insert_one() -> tuple[str, int]:
        with engine.begin() as conn:
            conn.execute(insert(table).values(note="x"))
        return "", 201

    return app, table, engine


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--warehouses", type=int, default=20)
    parser.add_argument("--lots", type=int, default=20_000)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--bookings", type=int, default=500, help="bookings per measurement")
    parser.add_argument("--small", action="store_true", help="20 items, 5 warehouses, 1,000 lots, 20,000 movements")
    args = parser.parse_args()
    if args.small:
        args.items, args.warehouses, args.lots, args.movements = 20, 5, 1_000, 20_000
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    print(f"machine: {platform.node()} {platform.machine()} {platform.processor() or ''} cpus={os.cpu_count()} "
          f"python={platform.python_version()}")
    print(f"database: {url.split('@')[-1]}")
    print(f"size: {args.items} items, {args.warehouses} warehouses, {args.lots} lots, {args.movements} movements")
    with own_database(url):
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
        with app.app_context():
            start = time.perf_counter()
            with transaction():
                generate(args.items, args.warehouses, args.lots, args.movements)
            print(f"generated in {time.perf_counter() - start:.1f} s")
        measure(app, url, args.bookings)
        app.extensions["stockpile.engine"].dispose()


@contextmanager
def own_database(url: str) -> Iterator[None]:
    """On PostgreSQL, create the named database for the run and drop it afterwards; refuse one that exists."""
    if not url.startswith("postgresql"):
        yield
        return
    target = make_url(url)
    name = target.database
    admin_dsn = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            raise SystemExit(f"database {name} exists; the benchmark creates its own, so name one that does not")
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(app: Flask, url: str, n: int) -> None:
    """Bookings per second and read times; each booking rate beside the bare baseline on the same database.

    Every booking and request gets its own app context and session, as in production: nothing (not the signed-in
    user, not a loaded lot) carries over from one to the next.
    """
    with app.app_context(), transaction():
        user = auth_services.create_user("bench@stockpile.example", "bench-password-123", Role.LOGISTICS, None)
        token = auth_services.create_token(user.email)
        user_id, session_token = user.id, user.session_token
        lots = session().execute(select(StockBalance.lot_id, StockBalance.warehouse_id)
                                 .where(StockBalance.on_hand > 100).limit(n)).all()

    def by_service(i: int) -> None:
        lot_id, wh = lots[i % len(lots)]
        with app.app_context(), transaction():
            services.issue(lot_id=lot_id, warehouse_id=wh, quantity=1, reason="bench", user_id=user_id)

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def by_api(i: int) -> None:
        lot_id, wh = lots[i % len(lots)]
        response = client.post("/api/v1/movements", headers=headers, json={
            "type": "issue", "lot_id": lot_id, "warehouse_id": wh, "quantity": 1, "reason": "bench"})
        assert response.status_code == 201, response.json

    bare, table, bare_engine = bare_app(url)
    bare_client = bare.test_client()

    def by_bare(_i: int) -> None:
        assert bare_client.post("/insert").status_code == 201

    rates = interleaved_rates(n, 5, service=by_service, api=by_api, bare=by_bare)
    print(f"service layer: {rates['service']:8.0f} bookings/s")
    print(f"HTTP API:      {rates['api']:8.0f} bookings/s")
    print(f"bare Flask+SQLAlchemy insert: {rates['bare']:8.0f} requests/s (API at {rates['api'] / rates['bare']:.0%} "
          f"of it, service layer at {rates['service'] / rates['bare']:.0%})")
    table.drop(bare_engine)
    bare_engine.dispose()
    measure_reads(app, client, session_token, lots[0][0])


def measure_reads(app: Flask, client: Any, session_token: str, lot_id: int) -> None:
    """Median times of the stock overview (query and page) and a lot's page, then the ledger check."""

    def overview() -> None:
        with app.app_context(), transaction():
            queries.stock_by_item()

    def page(path: str) -> None:
        assert client.get(path).status_code == 200, path

    with client.session_transaction() as cookie:
        cookie["_user_id"] = session_token
    print(f"stock overview by item (query):  {timed_ms(overview):7.1f} ms")
    print(f"stock overview page:             {timed_ms(lambda: page('/inventory/stock')):7.1f} ms")
    print(f"lot page /inventory/lots/{lot_id}: {timed_ms(lambda: page(f'/inventory/lots/{lot_id}')):7.1f} ms")
    with app.app_context(), transaction():
        print(f"ledger check differences after the run: {len(queries.check_ledger())}")


if __name__ == "__main__":
    main()
