"""Benchmark a full forecast run's fitting: 200 items x 25 regions (+ national) = 5,200 daily series.

--series picks a random sample of the set. Two passes with the code a run uses (`pool.fit_all`): the selection
pass (every series new: backtest, choose, fit) and the nightly pass (the selections in force: refit the chosen
method, in bulk). Each prints wall time and CPU seconds (this process and its workers) per series, and what the
5,200 series cost on 2 fully used cores; CPU time holds on a shared machine where wall time does not. Also the
methods chosen and their MASE beside seasonal naive.

Usage: python bench/forecast_bench.py [--series 120] [--workers 1] [--seed 7]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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


def timed(label: str, jobs: list[SeriesJob], workers: int) -> tuple[list, float]:  # type: ignore[type-arg]
    """Fit the jobs; print wall and CPU seconds (this process and its workers), per series and for 5,200 on 2 cores."""
    wall0, cpu0 = time.perf_counter(), _cpu()
    outcomes = fit_all(jobs, workers)
    wall, cpu = time.perf_counter() - wall0, _cpu() - cpu0
    per = cpu / len(jobs)
    print(f"{label}: {len(jobs)} series, wall {wall:.1f} s with {workers} worker(s), CPU {cpu:.1f} s = {per:.3f} s a "
          f"series -> 5,200 series on 2 fully used cores: {5200 * per / 2 / 60:.1f} min of fitting; "
          f"load {os.getloadavg()[0]:.1f}")
    return outcomes, per


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=120, help="sample size of the 5,200 series")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    jobs = sample_jobs(args.series, rng)
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"series: {len(jobs)} sampled of {ITEMS * (REGIONS + 1)} ({DAYS} days each, horizon {HORIZON})")
    fit_all(jobs[:2], 1)  # numba compiles statsforecast's models on first use: not part of a run's steady cost
    outcomes, _ = timed("selection (backtest, choose, fit)", jobs, args.workers)
    _report_accuracy(outcomes)
    chosen = [replace(job, selection=o.selection) for job, o in zip(jobs, outcomes, strict=True)]
    refits, _ = timed("nightly (refit the chosen method)", chosen, args.workers)
    print(f"selected again in the nightly pass (drift or special): {sum(1 for o in refits if o.why)}")
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
