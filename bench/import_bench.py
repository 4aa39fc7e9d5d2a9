"""Benchmark the receipts import through the page: rows per second and memory, as CSV and as XLSX.

Builds its own database (a SQLite file, or a PostgreSQL database it creates and drops), 200 items, 25 warehouses
and a logistics user, then uploads a semicolon CSV and an XLSX file of --rows receipts each (new lots, a tenth of
the lines adding to a lot named earlier in the file) to POST /inventory/import, as the page does, and times each
whole request: reading, checking every line, and booking. `stockpile check-ledger`'s check runs afterwards.

Usage: python bench/import_bench.py [--rows 10000] [--database-url postgresql+psycopg://postgres@127.0.0.1/sheets_bench]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import sys
import time
from pathlib import Path

from openpyxl import Workbook

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
from stockpile.db import local_today, session
from stockpile.inventory import queries
from stockpile.inventory.receipt_import import IMPORT_COLUMNS


def receipts(count: int, prefix: str, seed: int) -> list[list[object]]:
    rng = random.Random(seed)
    lines: list[list[object]] = []
    for n in range(count):
        if lines and rng.random() < 0.1:
            earlier = rng.choice(lines)
            lines.append([*earlier[:7], rng.randint(1, 500), "delivery", f"PO-{prefix}-{n}"])
            continue
        expiry = local_today() + dt.timedelta(days=rng.randint(200, 1500))
        lines.append([f"I{rng.randrange(ITEMS):03d}", f"{prefix}-{n:06d}", rng.choice(["Acme", "Medisupply BV"]),
                      expiry.isoformat(), "", rng.choice(["quarantine", "released"]),
                      f"WH-{rng.randrange(WAREHOUSES):02d}", rng.randint(1, 500), "delivery", f"PO-{prefix}-{n}"])
    return lines


def as_csv(lines: list[list[object]]) -> bytes:
    text = [";".join(IMPORT_COLUMNS), *(";".join(str(v) for v in line) for line in lines)]
    return ("\r\n".join(text) + "\r\n").encode()


def as_xlsx(lines: list[list[object]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("receipts")
    sheet.append(IMPORT_COLUMNS)
    for line in lines:
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with own_database(args.database_url) as url:
        print(machine(url))
        app = app_for(url)
        app.config["IMPORT_MAX_ROWS"] = max(args.rows, app.config["IMPORT_MAX_ROWS"])
        client = signed_in(app, seed_reference(app, Role.LOGISTICS))
        # One small file of each kind first, untimed: the first request imports openpyxl and compiles templates.
        for kind, make in (("csv", as_csv), ("xlsx", as_xlsx)):
            client.post("/inventory/import", data={"file": (io.BytesIO(make(receipts(20, f"W{kind}", 0))),
                                                            f"warm.{kind}")}, content_type="multipart/form-data")
        for kind, make, seed in (("csv", as_csv, 1), ("xlsx", as_xlsx, 2)):
            data = make(receipts(args.rows, kind.upper(), seed))
            before = peak_rss_mib()
            start, cpu = time.perf_counter(), time.process_time()
            response = client.post("/inventory/import", data={"file": (io.BytesIO(data), f"receipts.{kind}")},
                                   content_type="multipart/form-data")
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
            print(f"{kind}: {args.rows} lines ({len(data) / 1024:.0f} KiB) in {wall:.2f} s = "
                  f"{args.rows / wall:,.0f} lines/s (this process's CPU {cpu:.2f} s); "
                  f"peak RSS {before:.0f} -> {peak_rss_mib():.0f} MiB")
        with app.app_context():
            differences = queries.check_ledger()
            session().close()
        print(f"ledger and balances agree: {'yes' if not differences else f'NO ({len(differences)})'}")
        app.extensions["stockpile.engine"].dispose()


if __name__ == "__main__":
    main()
