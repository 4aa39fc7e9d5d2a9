"""Does reconciling the regional and national forecasts (hierarchicalforecast) improve the national forecast?

Synthetic items shaped like the real set (a national level with a weekday pattern and winter waves, 25 regions
each asking a share of it, small ones intermittent; the national series is the sum of the regions). The last 28
days are held out. Base forecasts come from the engine as a run makes them (`bulk.fit_batch`: backtest, choose,
fit) for every regional and national series; they are then made coherent per item with Nixtla's
hierarchicalforecast: bottom-up (national = sum of the regional forecasts), MinT with OLS weights, and MinT with
structural weights (WLS). Prints the national MASE (28 days held out, scaled by the in-sample seasonal-naive MAE)
of each beside the base forecast, and on how many items each beats it.

Usage: python bench/reconcile_bench.py [--items 4] [--regions 25] [--seed 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from hierarchicalforecast.core import HierarchicalReconciliation
from hierarchicalforecast.methods import BottomUp, MinTrace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stockpile.forecast.engine.bulk import fit_batch
from stockpile.forecast.engine.jobs import SeriesJob

DAYS, HELD_OUT, SEASON = 730, 28, 7
START = dt.date(2024, 1, 1)


def make_item(regions: int, rng: np.random.Generator) -> np.ndarray:
    """Regional daily demand (regions x days); the national series is their sum."""
    t = np.arange(DAYS)
    base = rng.uniform(5, 400)
    week = np.where(t % 7 >= 5, 0.4, 1.0)
    wave = 1 + rng.uniform(0.3, 1.5) * np.exp(-(((t - rng.integers(60, 200)) / 30) ** 2))
    wave += rng.uniform(0.2, 1.0) * np.exp(-(((t - rng.integers(560, 700)) / 30) ** 2))
    shares = rng.uniform(0.01, 0.08, regions)
    return rng.poisson(np.outer(shares, base * week * wave)).astype(float)


def mase(actual: np.ndarray, forecast: np.ndarray, train: np.ndarray) -> float:
    scale = float(np.mean(np.abs(train[SEASON:] - train[:-SEASON]))) or 1.0
    return float(np.mean(np.abs(actual - forecast))) / scale


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=4)
    parser.add_argument("--regions", type=int, default=25)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"load {os.getloadavg()[0]:.1f}")
    items = [make_item(args.regions, rng) for _ in range(args.items)]
    jobs, truth = [], {}
    for i, regional in enumerate(items):
        for r, values in enumerate([regional.sum(axis=0), *regional]):
            region = None if r == 0 else r
            jobs.append(SeriesJob(i, region, START, tuple(values[:-HELD_OUT]), HELD_OUT, None, "new"))
            truth[(i, region)] = values
    began = time.perf_counter()
    outcomes = fit_batch(jobs)
    print(f"base forecasts: {len(jobs)} series by the engine in {time.perf_counter() - began:.0f} s; methods "
          + ", ".join(f"{m} {sum(o.method == m for o in outcomes)}" for m in sorted({o.method for o in outcomes})))
    base = {(o.item_id, o.region_id): np.asarray(o.yhat) for o in outcomes}
    reconciled = reconcile(base, args.items, args.regions)
    report(truth, base, reconciled, args.items)


def _uid(item: int, region: int | None) -> str:
    return f"i{item}" if region is None else f"i{item}/r{region}"


def reconcile(base: dict[tuple[int, int | None], np.ndarray], items: int,
              regions: int) -> dict[str, dict[str, np.ndarray]]:
    """Every method's reconciled forecast per series id."""
    bottom = [_uid(i, r) for i in range(items) for r in range(1, regions + 1)]
    top = [_uid(i, None) for i in range(items)]
    s_matrix = np.vstack([np.kron(np.eye(items), np.ones((1, regions))), np.eye(items * regions)])
    s_df = pd.DataFrame(s_matrix, columns=bottom)
    s_df.insert(0, "unique_id", top + bottom)
    tags = {"item": np.array(top), "item/region": np.array(bottom)}
    ds = pd.date_range(START + dt.timedelta(days=DAYS - HELD_OUT), periods=HELD_OUT, freq="D")
    y_hat = pd.concat([pd.DataFrame({"unique_id": _uid(i, r), "ds": ds, "engine": base[(i, r)]})
                       for (i, r) in base])
    methods = [BottomUp(), MinTrace(method="ols"), MinTrace(method="wls_struct")]
    out = HierarchicalReconciliation(reconcilers=methods).reconcile(Y_hat_df=y_hat, S_df=s_df, tags=tags)
    columns = [c for c in out.columns if c.startswith("engine/")]
    return {c.split("/", 1)[1]: {uid: part[c].to_numpy(dtype=float) for uid, part in out.groupby("unique_id")}
            for c in columns}


def report(truth: dict[tuple[int, int | None], np.ndarray], base: dict[tuple[int, int | None], np.ndarray],
           reconciled: dict[str, dict[str, np.ndarray]], items: int) -> None:
    def score(forecast: np.ndarray, item: int) -> float:
        values = truth[(item, None)]
        return mase(values[-HELD_OUT:], np.clip(forecast, 0, None), values[:-HELD_OUT])

    base_scores = [score(base[(i, None)], i) for i in range(items)]
    print(f"national MASE over {items} items, {HELD_OUT} days held out (mean / median):")
    print(f"  base (the engine's own national forecast): {statistics.fmean(base_scores):.3f} / "
          f"{statistics.median(base_scores):.3f}")
    for name, forecasts in reconciled.items():
        scores = [score(forecasts[_uid(i, None)], i) for i in range(items)]
        better = sum(s < b for s, b in zip(scores, base_scores, strict=True))
        print(f"  {name}: {statistics.fmean(scores):.3f} / {statistics.median(scores):.3f}; better than base on "
              f"{better} of {items} items")


if __name__ == "__main__":
    main()
