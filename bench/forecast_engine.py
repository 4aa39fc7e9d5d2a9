"""Benchmark the forecast engine on synthetic PPE demand.

Usage: python bench/forecast_engine.py [--series N] [--sample K] [--seed S]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

# Run as a script from anywhere: make the repo root importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

Generator = Callable[[np.random.Generator], tuple[pd.Series, int]]


def _daily_index(days: int) -> pd.DatetimeIndex:
    """Daily dates ending at a fixed date, so runs are reproducible."""
    return pd.date_range(end="2025-12-31", periods=days, freq="D")


def daily_weekly(rng: np.random.Generator) -> tuple[pd.Series, int]:
    """Two years of daily issues: weekday/weekend pattern plus a winter peak."""
    idx = _daily_index(730)
    base = rng.uniform(20, 200)
    winter = 1 + 0.3 * np.cos(2 * np.pi * (idx.dayofyear - 15) / 365.25)
    week = np.where(idx.dayofweek < 5, 1.0, 0.25)
    return pd.Series(rng.poisson(base * winter * week).astype(float), idx), 28


def daily_waves(rng: np.random.Generator) -> tuple[pd.Series, int]:
    """Two years of daily issues with two outbreak waves on top of a base load."""
    idx = _daily_index(730)
    t = np.arange(730)
    waves = sum(rng.uniform(2, 6) * np.exp(-0.5 * ((t - c) / rng.uniform(15, 40)) ** 2)
                for c in rng.uniform(100, 700, 2))
    lam = rng.uniform(10, 50) * (1 + waves) * np.where(idx.dayofweek < 5, 1.0, 0.4)
    return pd.Series(rng.poisson(lam).astype(float), idx), 28


def daily_intermittent(rng: np.random.Generator) -> tuple[pd.Series, int]:
    """A year of sporadic daily demand for a niche item."""
    idx = _daily_index(365)
    hits = rng.random(365) < rng.uniform(0.05, 0.3)
    return pd.Series((hits * rng.poisson(rng.uniform(2, 20), 365)).astype(float), idx), 28


def daily_stopped(rng: np.random.Generator) -> tuple[pd.Series, int]:
    """Daily demand that ended (product withdrawn) 3-8 weeks ago."""
    idx = _daily_index(540)
    y = rng.poisson(rng.uniform(5, 40), 540).astype(float)
    y[-int(rng.integers(21, 57)):] = 0.0
    return pd.Series(y, idx), 28


def weekly(rng: np.random.Generator) -> tuple[pd.Series, int]:
    """Three years of weekly issues with a yearly cycle and slow drift."""
    idx = pd.date_range(end="2025-12-29", periods=156, freq="W-MON")
    t = np.arange(156)
    lam = rng.uniform(200, 2000) * (1 + 0.35 * np.sin(2 * np.pi * t / 52) + 0.002 * t)
    return pd.Series(rng.poisson(lam).astype(float), idx), 13


def monthly(rng: np.random.Generator) -> tuple[pd.Series, int]:
    """Five years of monthly issues with a yearly cycle."""
    idx = pd.date_range(end="2025-12-01", periods=60, freq="MS")
    lam = rng.uniform(1000, 9000) * (1 + 0.3 * np.cos(2 * np.pi * idx.month / 12))
    return pd.Series(rng.poisson(lam).astype(float), idx), 6


GENERATORS: list[Generator] = [daily_weekly, daily_waves, daily_intermittent,
                               daily_stopped, weekly, monthly]


def make_series(n: int, seed: int) -> list[tuple[str, pd.Series, int]]:
    """Return n (kind, history, horizon) triples cycling over the generators."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        gen = GENERATORS[i % len(GENERATORS)]
        history, horizon = gen(rng)
        out.append((gen.__name__, history, horizon))
    return out


def timed(fn: Callable[..., object], *args: object) -> float:
    """Return wall seconds for one call."""
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def print_machine() -> None:
    """Print platform, CPU count and library versions."""
    print(f"machine: {platform.platform()} | {platform.machine()} | cpus={os.cpu_count()}"
          f" | python {platform.python_version()}")
    libs = ("prophet", "cmdstanpy", "statsforecast", "statsmodels", "pandas", "numpy")
    print("versions: " + ", ".join(f"{lib} {version(lib)}" for lib in libs))


def speed(series: list[tuple[str, pd.Series, int]], sample: int) -> None:
    """Compare one tuned Prophet fit+predict with Prophet defaults on a sample."""
    from stockpile.forecast.engine import forecasting as engine

    picked = [s for s in series if s[0] != "daily_stopped"][:sample]
    runs: dict[str, list[float]] = {"tuned": [], "default": [], "newton": []}
    for _, history, horizon in picked:
        runs["tuned"].append(timed(engine.fit_one_tuned, history, horizon))
        runs["default"].append(timed(engine.fit_one_default, history, horizon))
        runs["newton"].append(timed(engine.fit_one_default, history, horizon, "Newton"))
    med = {k: statistics.median(v) for k, v in runs.items()}
    print(f"\nProphet single fit+forecast, median over {len(picked)} series:")
    print(f"  tuned (LBFGS, 100 uncertainty samples, holidays NL): {med['tuned']:.3f} s")
    print(f"  Prophet defaults (1000 samples, algorithm auto):     {med['default']:.3f} s"
          f"  -> speed-up x{med['default'] / med['tuned']:.2f}")
    print(f"  Prophet defaults, Newton forced:                     {med['newton']:.3f} s"
          f"  -> speed-up x{med['newton'] / med['tuned']:.2f}")


def accuracy(series: list[tuple[str, pd.Series, int]]) -> None:
    """Run the full engine and report chosen-method vs seasonal-naive MASE."""
    from stockpile.forecast.engine.forecasting import forecast

    times, chosen, baseline = [], [], []
    methods: dict[str, int] = {}
    for kind, history, horizon in series:
        start = time.perf_counter()
        result = forecast(history, horizon)
        times.append(time.perf_counter() - start)
        method = str(result["method"].iloc[0])
        methods[method] = methods.get(method, 0) + 1
        scores = result.attrs["mase"]
        base = scores.get("seasonal_naive", scores.get("naive"))
        if method in scores and base is not None:
            chosen.append(scores[method])
            baseline.append(base)
        print(f"  {kind:<19} h={horizon:<3} {method:<15} {times[-1]:6.2f} s  "
              f"MASE chosen={scores.get(method, float('nan')):.3f} snaive={base or float('nan'):.3f}")
    print(f"\nfull engine (3-fold backtest + refit) per series: median {statistics.median(times):.2f} s,"
          f" max {max(times):.2f} s, total {sum(times):.1f} s")
    print(f"methods chosen: {methods}")
    print(f"backtest MASE over {len(chosen)} series: chosen {np.mean(chosen):.3f}"
          f" vs seasonal naive {np.mean(baseline):.3f}"
          f" (chosen better on {sum(c < b for c, b in zip(chosen, baseline, strict=False))})")


def main() -> None:
    """Parse arguments and run the benchmark."""
    from stockpile.forecast.engine.forecasting import fit_one_default, forecast

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--series", type=int, default=24, help="number of synthetic series")
    parser.add_argument("--sample", type=int, default=8, help="series in the speed test")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    print_machine()
    series = make_series(args.series, args.seed)
    # Warm-up outside the timings: imports, cmdstan model load, first calls.
    forecast(series[0][1], series[0][2])
    fit_one_default(series[0][1], series[0][2])
    print(f"\nfull engine on {len(series)} series:")
    accuracy(series)
    speed(series, args.sample)


if __name__ == "__main__":
    main()
