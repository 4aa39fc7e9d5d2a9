"""Outlook benchmark: how long every item's outlook takes to compute on read (the dashboard, /forecast/flags, the
reconciliation job), and the item page with its chart, at the size of the real stockpile.

Generates 200 items with 100 lots each (20,000 lots over 20 warehouses, expiries spread over four years, some
inside the horizon), a succeeded forecast run with 90 days of forecast points per item, deliveries and approved
requests; then times, as the median of 7 after a warm-up:
  * `outlooks()` for all items (the reads and the vectorised simulation of 200 paths x 90 days, separately);
  * GET /forecast/ (the dashboard) and GET /api/v1/forecast/flags through the Flask test client;
  * GET /forecast/items/<id> (an item page with its matplotlib chart).

Usage: python bench/outlook_bench.py [--items 200] [--lots-per-item 100]
       [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/outlook_bench]
On PostgreSQL the named database is created and dropped afterwards (it must not exist); SQLite uses a file in /tmp.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stockpile import create_app, migrate
from stockpile.auth import services as auth_services
from stockpile.auth.models import Role
from stockpile.db import local_today, session, transaction, utcnow
from stockpile.forecast import inputs, outlook
from stockpile.forecast.models import (
    DeliveryStatus,
    ExpectedDelivery,
    ForecastPoint,
    ForecastRun,
    ForecastSeries,
    RunStatus,
    RunTrigger,
)
from stockpile.forecast.projection import project_many
from stockpile.inventory.models import Lot, QualityStatus, StockBalance
from stockpile.reference.models import Item, ItemCategory, Region, Warehouse

CHUNK = 20_000
HORIZON = 90


def generate(items: int, lots_per_item: int, warehouses: int) -> None:
    """Items, lots with balances, a succeeded run with its forecast points, and deliveries."""
    rng = random.Random(90)
    sess = session()
    region_id = sess.scalar(select(Region.id).limit(1))
    sess.execute(insert(Item), [{"code": f"O-{n:04d}", "name": f"Outlook item {n}", "category": ItemCategory.HAND,
                                 "unit_of_issue": "piece", "lead_time_days": 21, "safety_stock_days": 14}
                                for n in range(items)])
    sess.execute(insert(Warehouse), [{"code": f"OW-{n:03d}", "name": f"Warehouse {n}", "region_id": region_id}
                                     for n in range(warehouses)])
    item_ids = list(sess.scalars(select(Item.id).order_by(Item.id)))
    wh_ids = list(sess.scalars(select(Warehouse.id)))
    today = local_today()
    sess.execute(insert(Lot), [{"item_id": item_ids[n % items], "lot_number": f"OL-{n:06d}", "supplier": "Bench",
                                "expiry_date": today + dt.timedelta(days=rng.randint(10, 1460)), "received_date": today,
                                "quality_status": QualityStatus.RELEASED} for n in range(items * lots_per_item)])
    balances = [{"lot_id": lot_id, "warehouse_id": rng.choice(wh_ids), "item_id": item_id,
                 "on_hand": rng.randint(50, 500), "reserved": 0}
                for lot_id, item_id in sess.execute(select(Lot.id, Lot.item_id))]
    for start in range(0, len(balances), CHUNK):
        sess.execute(insert(StockBalance), balances[start:start + CHUNK])
    run = ForecastRun(trigger=RunTrigger.CLI, status=RunStatus.SUCCEEDED, active=None, queued_at=utcnow(),
                      started_at=utcnow(), finished_at=utcnow(), horizon_days=HORIZON)
    sess.add(run)
    sess.flush()
    sess.execute(insert(ForecastSeries), [{"run_id": run.id, "item_id": i, "region_id": None, "method": "ets",
                                           "error": "", "seconds": 1.0} for i in item_ids])
    points = []
    for series_id in sess.scalars(select(ForecastSeries.id)):
        rate = rng.uniform(100, 900)
        points += [{"series_id": series_id, "day": today + dt.timedelta(days=d), "yhat": rate,
                    "yhat_lower": rate * 0.7, "yhat_upper": rate * 1.3} for d in range(HORIZON)]
    for start in range(0, len(points), CHUNK):
        sess.execute(insert(ForecastPoint), points[start:start + CHUNK])
    sess.execute(insert(ExpectedDelivery), [{"item_id": i, "quantity": 5000, "supplier": "Bench", "note": "",
                                             "expected_date": today + dt.timedelta(days=rng.randint(1, 60)),
                                             "status": DeliveryStatus.EXPECTED} for i in item_ids])


def timed_ms(call: Callable[[], Any], repeat: int = 7) -> float:
    """Median milliseconds of a call, after one warm-up call."""
    call()
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
        session().rollback()
    return statistics.median(samples)


def measure(url: str, items: int, lots_per_item: int) -> None:
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})
    with app.app_context():
        began = time.perf_counter()
        with transaction():
            generate(items, lots_per_item, 20)
            user = auth_services.create_user("bench@stockpile.example", "bench-password-long", Role.CONTINUITY)
            token = auth_services.create_token(user.email)
            session_token = user.session_token
        print(f"generated {items} items x {lots_per_item} lots in {time.perf_counter() - began:.1f} s")
        all_items = session().scalars(select(Item).where(Item.active.is_(True))).all()
        today = local_today()
        read = timed_ms(lambda: inputs.read_inputs(all_items, today))
        data = [d for i in inputs.read_inputs(all_items, today).values()
                if (d := i.projection_input(today, 1.0)) is not None]
        simulate = timed_ms(lambda: project_many(data))
        whole = timed_ms(lambda: outlook.outlooks())
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        flags = timed_ms(lambda: client.get("/api/v1/forecast/flags", headers=headers).close())
        with client.session_transaction() as sess:
            sess["_user_id"], sess["_fresh"] = session_token, True
        dashboard = timed_ms(lambda: client.get("/forecast/").close())
        item_page = timed_ms(lambda: client.get(f"/forecast/items/{all_items[0].id}").close(), repeat=5)
        print(f"outlooks() of {len(all_items)} items: {whole:.0f} ms (reads {read:.0f} ms, simulation of "
              f"{len(data)} items x 200 paths x {HORIZON} days {simulate:.0f} ms)")
        print(f"GET /api/v1/forecast/flags {flags:.0f} ms; GET /forecast/ {dashboard:.0f} ms; "
              f"an item page with its chart {item_page:.0f} ms")
    app.extensions["stockpile.engine"].dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--lots-per-item", type=int, default=100)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    print(f"outlook benchmark on {platform.python_version()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    if args.database_url is None:
        with tempfile.TemporaryDirectory() as folder:
            measure(f"sqlite:///{folder}/outlook.sqlite", args.items, args.lots_per_item)
        return
    url = make_url(args.database_url)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{url.database}"')
    try:
        measure(args.database_url, args.items, args.lots_per_item)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{url.database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
