"""Benchmark the ledger export at a million movements: time and memory, as CSV and as XLSX.

Builds its own database (a SQLite file, or a PostgreSQL database it creates and drops) holding --movements ledger
lines over 5,000 lots, then downloads /inventory/ledger.csv and .xlsx through the app, each in a fresh process,
reading the streamed body chunk by chunk as a server would send it. For each it prints the time to the first byte,
the whole time, the file's size and the process's peak memory; beside them the same for one item's ledger (about
1/200 of the lines), so a flat memory shows as the same peak for both.

Usage: python bench/export_bench.py [--movements 1000000] [--formats csv,xlsx]
       [--database-url postgresql+psycopg://postgres@127.0.0.1/sheets_export_bench]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sheets_common import (
    ITEMS,
    WAREHOUSES,
    app_for,
    machine,
    own_database,
    peak_rss_mib,
    seed_reference,
    signed_in,
)
from stockpile.auth.models import Role
from stockpile.db import local_today, session, table_of, transaction
from stockpile.inventory.models import Lot, MovementType, QualityStatus, StockMovement
from stockpile.reference.models import Item, Warehouse

LOTS = 5000
BATCH = 50_000


def seed_ledger(url: str, movements: int) -> str:
    """LOTS lots and `movements` receipts spread over the last months; returns an admin's session token."""
    app = app_for(url)
    token = seed_reference(app, Role.ADMIN)
    with app.app_context(), transaction():
        items = list(session().scalars(select(Item.id).order_by(Item.id)))
        warehouses = list(session().scalars(select(Warehouse.id).order_by(Warehouse.id)))
        session().execute(insert(table_of(Lot)), [
            {"item_id": items[n % ITEMS], "lot_number": f"L-{n:05d}", "supplier": "Acme",
             "expiry_date": local_today() + dt.timedelta(days=400), "received_date": local_today(),
             "quality_status": QualityStatus.RELEASED} for n in range(LOTS)])
        lots = list(session().scalars(select(Lot.id).order_by(Lot.id)))
    start = dt.datetime.now(dt.UTC)
    for first in range(0, movements, BATCH):
        with app.app_context(), transaction():
            session().execute(insert(table_of(StockMovement)), [
                {"type": MovementType.RECEIPT, "lot_id": lots[n % LOTS], "from_warehouse_id": None,
                 "to_warehouse_id": warehouses[n % WAREHOUSES], "quantity": 1 + n % 500,
                 "reason": f"delivery {n}", "reference": f"PO-{n}", "user_id": None,
                 "created_at": start - dt.timedelta(seconds=n)} for n in range(first, min(first + BATCH, movements))])
    with app.app_context():
        print(f"ledger lines: {session().scalar(select(func.count()).select_from(StockMovement)):,}")
        if url.startswith("postgresql"):
            session().execute(text("ANALYZE"))
            session().commit()
    app.extensions["stockpile.engine"].dispose()
    return token


def export_once(url: str, token: str, path: str) -> dict[str, float]:
    """In this (fresh) process: download one export, reading it chunk by chunk; its figures."""
    app = app_for(url)
    app.config["XLSX_EXPORT_MAX_ROWS"] = 10**9  # measure what the limit guards against, not the refusal
    client = signed_in(app, token)
    client.get("/")  # the app's first request, so imports and templates are not counted
    before = peak_rss_mib()
    start, cpu = time.perf_counter(), time.process_time()
    response = client.get(path, buffered=False)
    size, first_byte = 0, None
    for chunk in response.response:
        if first_byte is None:
            first_byte = time.perf_counter() - start
        size += len(chunk)
    response.close()
    assert response.status_code == 200
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
            "first_byte": first_byte or 0.0, "mib": size / 2**20,
            "rss_before": before, "rss_peak": peak_rss_mib()}


def run_child(url: str, token: str, path: str) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", url, token, path], capture_output=True, text=True,
                         check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(export_once(*sys.argv[2:5])))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--movements", type=int, default=1_000_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with own_database(args.database_url) as url:
        print(machine(url))
        start = time.perf_counter()
        token = seed_ledger(url, args.movements)
        print(f"seeded in {time.perf_counter() - start:.0f} s")
        for fmt in args.formats.split(","):
            for label, path in (("one item", f"/inventory/ledger.{fmt}?item_id=1"),
                                ("whole ledger", f"/inventory/ledger.{fmt}")):
                r = run_child(url, token, path)
                print(f"{fmt} {label}: {r['seconds']:.1f} s, of it {r['cpu']:.1f} s CPU in the app's process (first "
                      f"byte after {r['first_byte']:.1f} s), "
                      f"{r['mib']:.0f} MiB file; peak RSS {r['rss_before']:.0f} MiB before the request, "
                      f"{r['rss_peak']:.0f} MiB after")
        print(machine(url))


if __name__ == "__main__":
    main()
