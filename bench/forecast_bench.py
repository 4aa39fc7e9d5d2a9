"""Benchmark a full forecast run's fitting: 200 items x 25 regions (+ national) = 5,200 daily series.

The whole set takes hours on a small machine, so --series picks a random sample of it. Prints wall time against
the ideal (series x median single fit / cores), i.e. parallel efficiency; tuned vs default Prophet per series;
peak memory; and MASE of the chosen method beside seasonal naive.

Usage: python bench/forecast_bench.py [--series 120] [--workers N] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stockpile.forecast.engine import forecasting
from stockpile.forecast.engine.bulk import fit_batch
from stockpile.forecast.engine.jobs import SeriesJob
from stockpile.forecast.engine.pool import fit_all

ITEMS, REGIONS, DAYS, HORIZON = 200, 25, 730, 90
START = pd.Timestamp("2024-01-01")


def make_series(item: int, region: int | None, rng: np.random.Generator) -> np.ndarray:
    """Two years of daily demand: weekday pattern, winter waves; regions get a share, small ones intermittent."""
    t = np.arange(DAYS)
    base = rng.uniform(5, 400) * (1.0 if region is None else rng.uniform(0.01, 0.08))
    week = np.where(t % 7 >= 5, 0.4, 1.0)
    wave = 1 + rng.uniform(0.3, 1.5) * np.exp(-(((t - rng.integers(60, 200)) / 30) ** 2))
    wave += rng.uniform(0.2, 1.0) * np.exp(-(((t - rng.integers(420, 560)) / 30) ** 2))
    return rng.poisson(base * week * wave).astype(float)


def sample_jobs(count: int, rng: np.random.Generator) -> list[SeriesJob]:
    """A random sample of the 5,200 series."""
    keys = [(i, r) for i in range(ITEMS) for r in (None, *range(REGIONS))]
    chosen = rng.choice(len(keys), size=min(count, len(keys)), replace=False)
    return [SeriesJob(keys[k][0], keys[k][1], START.date(), tuple(make_series(*keys[k], rng)), HORIZON)
            for k in sorted(chosen)]


def tuned_vs_default(jobs: list[SeriesJob], count: int) -> tuple[float, float]:
    """Median seconds of one tuned and one default Prophet fit on the same series."""
    tuned, default = [], []
    for job in jobs[:count]:
        history = pd.Series(job.values, index=pd.date_range(job.start, periods=len(job.values), freq="D"))
        began = time.perf_counter()
        forecasting.fit_one_tuned(history, HORIZON)
        tuned.append(time.perf_counter() - began)
        began = time.perf_counter()
        forecasting.fit_one_default(history, HORIZON)
        default.append(time.perf_counter() - began)
    return statistics.median(tuned), statistics.median(default)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=120, help="sample size of the 5,200 series")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--single", type=int, default=8, help="series timed one by one for the median fit")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    jobs = sample_jobs(args.series, rng)
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"series: {len(jobs)} sampled of {ITEMS * (REGIONS + 1)} ({DAYS} days each, horizon {HORIZON})")
    singles = [fit_batch([job])[0].seconds for job in jobs[: args.single]]
    median_single = statistics.median(singles)
    began = time.perf_counter()
    outcomes = fit_all(jobs, args.workers)
    wall = time.perf_counter() - began
    ideal = len(jobs) * median_single / args.workers
    print(f"median single series (backtest + fit): {median_single:.2f} s over {len(singles)} series")
    print(f"wall {wall:.1f} s with {args.workers} workers; ideal {ideal:.1f} s; parallel efficiency {ideal / wall:.0%}")
    busy = sum(o.seconds for o in outcomes) / args.workers
    print(f"in-worker fit time {busy:.1f} s per worker vs wall {wall:.1f} s: efficiency {busy / wall:.0%} "
          "(the median above comes from the first series only, so the ideal is rough)")
    print(f"whole 5,200-series set, extrapolated: {5200 * wall / len(jobs) / 60:.0f} min")
    tuned, default = tuned_vs_default(jobs, 5)
    print(f"Prophet per series: tuned {tuned:.2f} s, defaults {default:.2f} s (median of 5)")
    _report_accuracy(outcomes)
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak memory: parent {own:.0f} MiB, largest worker {children:.0f} MiB")


def _report_accuracy(outcomes: list) -> None:  # type: ignore[type-arg]
    failed = [o for o in outcomes if o.error]
    pairs = [(o.mase, o.seasonal_naive_mase) for o in outcomes if o.mase is not None and o.seasonal_naive_mase]
    methods: dict[str, int] = {}
    for o in outcomes:
        methods[o.method or "failed"] = methods.get(o.method or "failed", 0) + 1
    print(f"methods chosen: {dict(sorted(methods.items()))}; failed series: {len(failed)}")
    if pairs:
        chosen, naive = zip(*pairs, strict=True)
        better = sum(c <= n for c, n in pairs)
        print(f"MASE median: chosen {statistics.median(chosen):.3f}, seasonal naive {statistics.median(naive):.3f}; "
              f"chosen at least as good on {better}/{len(pairs)} series")


if __name__ == "__main__":
    main()
