"""Benchmark a whole forecast run, database reads and writes included.

Generates items x regions of daily demand as submitted request lines (the regional series; the national series
is their sum), two years by default, plus stock for every item; then times two runs of `runner.run_forecast`
(reading the history, fitting every series in worker processes, writing series, forecast points, selections and
flags): the first selects every series (all are new: backtest, choose, fit), the second is a nightly run that
refits only the chosen methods. Each prints where its time went: reading, fitting, writing, flags.

Usage: python bench/forecast_run_bench.py [--items 200] [--regions 25] [--days 730] [--workers 2]
       [--database-url sqlite:////tmp/x.sqlite | postgresql+psycopg://postgres@127.0.0.1/forecast_bench]
Start with --items 10 --regions 5; the full size (200 x 25 = 5,200 series) takes most of an hour on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stockpile import create_app
from stockpile.auth.models import Role, User
from stockpile.db import LOCAL_ZONE, local_today, session, transaction
from stockpile.forecast import queries, runner
from stockpile.forecast.models import ForecastSeries, RunStatus, RunTrigger
from stockpile.inventory import services as inventory
from stockpile.inventory.models import QualityStatus
from stockpile.ops import migrate
from stockpile.reference.models import EssentialProcess, Item, ItemCategory, Region, Warehouse
from stockpile.requests.models import RequestLine, RequestState, SupplyRequest


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--regions", type=int, default=25)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def seed_reference(items: int) -> tuple[list[int], int, int]:
    """Items, one warehouse and one process; returns item ids, warehouse id, process id."""
    session().execute(insert(Item), [
        {"code": f"BENCH-{n:03d}", "name": f"Bench item {n}", "category": ItemCategory.HAND, "unit_of_issue": "piece",
         "units_per_pack": 10, "en_standard": "EN 455", "shelf_life_months": 60, "lead_time_days": 21,
         "safety_stock_days": 14, "active": True} for n in range(items)])
    region = session().scalar(select(Region).where(Region.code == "VR09"))
    assert region is not None
    warehouse = Warehouse(code="WH-BENCH", name="Bench", address="", region=region)
    process = EssentialProcess(code="BENCH", name="Bench", sector="Care", priority_tier=1)
    session().add_all([warehouse, process])
    session().flush()
    return list(session().scalars(select(Item.id).order_by(Item.id))), warehouse.id, process.id


def seed_requesters(regions: int) -> dict[int, int]:
    """One region user per region: region id -> user id."""
    codes = [f"VR{n:02d}" for n in range(1, regions + 1)]
    users = {}
    for region in session().scalars(select(Region).where(Region.code.in_(codes))):
        user = User(email=f"bench-{region.code.lower()}@bench.example", password_hash="x", role=Role.REGION,
                    region_id=region.id)
        session().add(user)
        session().flush()
        users[region.id] = user.id
    return users


def seed_demand(item_ids: list[int], users: dict[int, int], process_id: int, days: int,
                rng: np.random.Generator) -> int:
    """A submitted request per region per day, a line per item asked that day; returns the number of lines."""
    first = local_today() - dt.timedelta(days=days)
    scale = {item: rng.uniform(5, 400) for item in item_ids}
    share = {(item, region): rng.uniform(0.01, 0.08) for item in item_ids for region in users}
    t = np.arange(days)
    week = np.where(t % 7 >= 5, 0.4, 1.0)
    wave = 1 + 0.8 * np.exp(-(((t - days // 4) / 30) ** 2)) + 0.6 * np.exp(-(((t - 3 * days // 4) / 30) ** 2))
    lines = 0
    for region_id, user_id in users.items():
        asks = {item: rng.poisson(scale[item] * share[(item, region_id)] * week * wave) for item in item_ids}
        for day in range(days):
            when = dt.datetime.combine(first + dt.timedelta(days=day), dt.time(10), LOCAL_ZONE).astimezone(dt.UTC)
            wanted = [(item, int(asks[item][day])) for item in item_ids if asks[item][day] > 0]
            if not wanted:
                continue
            request = SupplyRequest(region_id=region_id, essential_process_id=process_id, needed_by=when.date(),
                                    delivery_address="bench", contact="bench", justification="bench",
                                    state=RequestState.SUBMITTED, created_by_id=user_id, submitted_by_id=user_id,
                                    submitted_at=when, created_at=when)
            session().add(request)
            session().flush()
            session().execute(insert(RequestLine), [
                {"request_id": request.id, "item_id": item, "quantity_requested": qty} for item, qty in wanted])
            lines += len(wanted)
    return lines


def seed_stock(item_ids: list[int], warehouse_id: int) -> None:
    for item_id in item_ids:
        inventory.receive(item_id=item_id, lot_number=f"B-{item_id}", supplier="Bench",
                          expiry_date=local_today() + dt.timedelta(days=700), warehouse_id=warehouse_id,
                          quantity=20_000, reason="bench", user_id=None, quality_status=QualityStatus.RELEASED)


def timed_run(label: str) -> float:
    """Execute one run as the nightly job does; print its wall time, how many series were selected anew and where
    the time went (from the run's own log)."""
    began = time.perf_counter()
    run = runner.run_forecast(RunTrigger.CLI)
    wall = time.perf_counter() - began
    assert run.status is RunStatus.SUCCEEDED, run.error_summary
    fitted = session().scalar(select(func.sum(ForecastSeries.seconds)).where(ForecastSeries.run_id == run.id))
    print(f"{label}: {run.series_count} series ({run.failed_series} failed) in {wall:.1f} s, database reads and "
          f"writes included; load {os.getloadavg()[0]:.1f}")
    for line in queries.log_of(run.id):
        if line.message.startswith(("succeeded", "selected anew")):
            print(f"  {line.message}")
    print(f"  time spent fitting inside the workers: {fitted or 0:.1f} s")
    return wall


def main() -> None:
    args = parse()
    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/forecast-bench.sqlite"
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "FORECAST_HISTORY_DAYS": args.days,
                      "FORECAST_WORKERS": args.workers})
    rng = np.random.default_rng(args.seed)
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}")
    with app.app_context():
        began = time.perf_counter()
        with transaction():
            item_ids, warehouse_id, process_id = seed_reference(args.items)
            users = seed_requesters(args.regions)
            lines = seed_demand(item_ids, users, process_id, args.days, rng)
            seed_stock(item_ids, warehouse_id)
        print(f"generated {args.items} items x {len(users)} regions, {args.days} days: {lines:,} request lines "
              f"in {time.perf_counter() - began:.1f} s ({url.split('://')[0]}); {args.workers} workers")
        timed_run("selection run (every series new: backtest, choose, fit)")
        timed_run("nightly run (selections in force: refit the chosen method only)")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: {own:.0f} MiB in the run's process, {children:.0f} MiB in the largest worker")


if __name__ == "__main__":
    main()
