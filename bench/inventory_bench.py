"""Inventory benchmark: bookings per second (API, services, bare baseline) and read times on a generated stock.

    .venv/bin/python bench/inventory_bench.py --small                      # SQLite file in /tmp, a minute
    .venv/bin/python bench/inventory_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1/bench
Full size (the defaults): 200 items, 20 warehouses, 20,000 lots, 1,000,000 movements. The database must be empty.
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
from typing import Any

from flask import Flask
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from stockpile import create_app, migrate
from stockpile.auth import services as auth_services
from stockpile.auth.models import Role
from stockpile.db import local_today, session, transaction, utcnow
from stockpile.inventory import queries, services
from stockpile.inventory.models import Lot, MovementType, QualityStatus, StockBalance, StockMovement
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


def rate(n: int, book: Any) -> float:
    """Bookings per second of n calls."""
    start = time.perf_counter()
    for i in range(n):
        book(i)
    return n / (time.perf_counter() - start)


def timed_ms(call: Any, repeat: int = 5) -> float:
    """Median milliseconds of a call."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def overview() -> None:
    """The stock overview query in its own transaction, as a request would run it."""
    with transaction():
        queries.stock_by_item()


def bare_app(url: str) -> tuple[Flask, Table]:
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

    return app, table


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
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        start = time.perf_counter()
        with transaction():
            generate(args.items, args.warehouses, args.lots, args.movements)
        print(f"generated in {time.perf_counter() - start:.1f} s")
        measure(app, url, args.bookings)


def measure(app: Flask, url: str, n: int) -> None:
    """Bookings per second and read times; each booking rate beside the bare baseline on the same database."""
    with transaction():
        user = auth_services.create_user("bench@stockpile.example", "bench-password-123", Role.LOGISTICS, None)
        token = auth_services.create_token(user.email)
    lots = session().execute(select(StockBalance.lot_id, StockBalance.warehouse_id)
                             .where(StockBalance.on_hand > 100).limit(n)).all()
    session().commit()  # on SQLite an open transaction holds the write lock the requests below need

    def by_service(i: int) -> None:
        lot_id, wh = lots[i % len(lots)]
        with transaction():
            services.issue(lot_id=lot_id, warehouse_id=wh, quantity=1, reason="bench", user_id=user.id)

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}

    def by_api(i: int) -> None:
        lot_id, wh = lots[i % len(lots)]
        response = client.post("/api/v1/movements", headers=headers, json={
            "type": "issue", "lot_id": lot_id, "warehouse_id": wh, "quantity": 1, "reason": "bench"})
        assert response.status_code == 201, response.json

    bare, table = bare_app(url)
    bare_client = bare.test_client()
    service_rate, api_rate = rate(n, by_service), rate(n, by_api)
    bare_rate = rate(n, lambda _i: bare_client.post("/insert"))
    print(f"service layer: {service_rate:8.0f} bookings/s")
    print(f"HTTP API:      {api_rate:8.0f} bookings/s")
    print(f"bare Flask+SQLAlchemy insert: {bare_rate:8.0f} requests/s "
          f"(API at {api_rate / bare_rate:.0%} of it, service layer at {service_rate / bare_rate:.0%})")
    session().rollback()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = user.session_token
    lot_id = lots[0][0]
    print(f"stock overview by item (query):  {timed_ms(overview):7.1f} ms")
    print(f"stock overview page:             {timed_ms(lambda: client.get('/inventory/stock')):7.1f} ms")
    print(f"lot page /inventory/lots/{lot_id}: {timed_ms(lambda: client.get(f'/inventory/lots/{lot_id}')):7.1f} ms")
    with transaction():
        print(f"ledger check differences after the run: {len(queries.check_ledger())}")
    table.drop(app.extensions["stockpile.engine"])


if __name__ == "__main__":
    main()
