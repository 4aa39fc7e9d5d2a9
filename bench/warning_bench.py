"""Warning benchmark: do scarcity flags come in time without crying wolf, and does the probability mean what it says?

Simulated daily PPE demand: a base level with a weekly pattern, over-dispersed counts, and one or two epidemic waves
of different heights and widths (sometimes one already in the history). Stock is not replenished. Every week, the
project's own code is walked forward: the engine forecasts the national series from the history so far
(`stockpile.forecast.engine.forecasting.forecast`, as a run does), and the outlook projects the stock and flags it
(`stockpile.forecast.projection.project_stock`, `stockpile.forecast.flags.flag_level`), with a 21-day lead time and
14 safety days. Beside it, from the same forecasts: the present method (the outlook as it was on main before issue
9, bench/legacy_outlook.py); the CDC burn-rate rule (days of supply = stock / mean of the last 7 days; critical
within the lead time, warning within lead time + safety days); and an oracle that knows the future.

It reports, per method:
* calibration of P(stock-out within the lead time): a reliability table and the Brier score;
* warned in time: the share of stock-outs whose flag was warning or critical at the last weekly review at least
  the lead time before the stock-out (the last chance to order);
* false alarms: the share of warning-or-critical flags with no stock-out within 1.5 x lead time + safety days;
* the median days of warning (from the first review of the unbroken run of warnings before a stock-out);
* the coverage of the engine's 80 % intervals on the held-out days (daily, days 1-28; cumulative, at the lead time).

Forecasts are the slow part (seconds each): they are cached in --cache, keyed by scenario and review, so the
evaluation can be repeated (e.g. with other flag thresholds) without refitting. On a busy machine,
--without-prophet leaves the engine's slowest candidate out of the selection (the flags are what is measured, and
the fast candidates are what the engine picks for most of these series), and --budget-minutes stops fitting after
that long: only the scenarios whose every review was fitted are evaluated, and the report says how many.

Usage: python bench/warning_bench.py [--scenarios 120] [--seed 11] [--workers 2] [--cache /tmp/warning_bench]
                                     [--without-prophet] [--budget-minutes 60]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import pickle
import platform
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import itertools

import legacy_outlook

from stockpile.forecast.flags import RULE, FlagRule, flag_level
from stockpile.forecast.projection import Lot, OutlookInput, project_stock
from stockpile.forecast.spread import spread_from_cumulative_bands, spread_from_daily_bands

LEAD, SAFETY, HORIZON = 21, 14, 90
HISTORY, EVALUATED, STEP = 365, 182, 7
FALSE_ALARM_DAYS = int(1.5 * LEAD + SAFETY)  # 45: a warning with no stock-out within this many days was false
WEEKDAYS = (1.1, 1.1, 1.05, 1.05, 1.0, 0.75, 0.7)
START = dt.date(2026, 1, 1)
BINS = (0.0, 0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 1.0001)
WARNED = ("warning", "critical")


@dataclass(frozen=True)
class Scenario:
    """Daily demand (history, evaluated period and a tail to judge the last reviews) and the stock at the start."""

    number: int
    demand: np.ndarray
    stock: float

    def stockout_day(self) -> int | None:
        """Day (from the evaluated period's start) on which demand first goes unmet."""
        used = np.cumsum(self.demand[HISTORY:])
        short = np.nonzero(used > self.stock)[0]
        return int(short[0]) if len(short) else None

    def reviews(self) -> list[int]:
        """Weekly review days (from the start of the evaluated period) before the stock-out."""
        end = min(self.stockout_day() or EVALUATED, EVALUATED)
        return list(range(0, end, STEP))

    def stock_at(self, day: int) -> float:
        return self.stock - float(np.sum(self.demand[HISTORY:HISTORY + day]))


def make_scenario(number: int, seed: int) -> Scenario:
    """One simulated item: waves of different height and width, over-dispersed daily counts."""
    rng = np.random.default_rng([seed, number])
    days = HISTORY + EVALUATED + FALSE_ALARM_DAYS + 1
    t = np.arange(days)
    base = rng.uniform(40, 400)
    level = np.ones(days)
    peaks = [HISTORY + rng.uniform(5, 150)] + ([rng.uniform(60, HISTORY - 30)] if rng.random() < 0.5 else [])
    if rng.random() < 0.35:
        peaks.append(HISTORY + rng.uniform(60, 170))
    for peak in peaks:
        height, width = rng.uniform(0.8, 8.0), rng.uniform(6, 30)
        level += height * np.exp(-0.5 * ((t - peak) / width) ** 2)
    mean = base * level * np.array([WEEKDAYS[(START + dt.timedelta(days=int(d))).weekday()] for d in t])
    shape = 8.0  # gamma-Poisson: over-dispersed counts
    demand = rng.poisson(rng.gamma(shape, mean / shape)).astype(float)
    return Scenario(number, demand, stock=base * rng.uniform(25, 160))


@dataclass(frozen=True)
class Forecast:
    yhat: list[float]
    lower: list[float]
    upper: list[float]
    cum_lower: list[float] | None
    cum_upper: list[float] | None
    method: str


def fit(task: tuple[Scenario, int, bool]) -> tuple[int, int, Forecast | str]:
    """The engine's forecast at one review (in a worker process)."""
    import pandas as pd

    from stockpile.forecast.engine import forecasting
    from stockpile.forecast.engine.forecasting import forecast

    scenario, review, without_prophet = task
    if without_prophet:  # Prophet is only tried up to this share of zero days: never, here
        forecasting.PROPHET_MAX_ZERO_SHARE = -1.0
    history = scenario.demand[:HISTORY + review]
    series = pd.Series(history, index=pd.date_range(START, periods=len(history), freq="D"))
    try:
        frame = forecast(series, HORIZON)
    except Exception as exc:  # one failed fit is reported, not fatal
        return scenario.number, review, f"{type(exc).__name__}: {exc}"
    cumulative = "cum_lower" in frame.columns and frame["cum_lower"].notna().all()
    return scenario.number, review, Forecast(
        list(frame["yhat"]), list(frame["yhat_lower"]), list(frame["yhat_upper"]),
        list(frame["cum_lower"]) if cumulative else None, list(frame["cum_upper"]) if cumulative else None,
        str(frame["method"].iloc[0]))


def forecasts(scenarios: list[Scenario], cache: Path, workers: int, without_prophet: bool,
              budget_minutes: float) -> dict[tuple[int, int], Forecast | str]:
    """Every review's forecast, from the cache where it has it, scenario by scenario until the budget is spent."""
    found: dict[tuple[int, int], Forecast | str] = pickle.loads(cache.read_bytes()) if cache.exists() else {}
    tasks = [(s, r, without_prophet) for s in scenarios for r in s.reviews() if (s.number, r) not in found]
    print(f"forecasts: {len(found)} cached, {len(tasks)} to fit with {workers} workers", flush=True)
    began = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for n, (number, review, result) in enumerate(pool.map(fit, tasks, chunksize=1), start=1):
            found[(number, review)] = result
            spent = time.perf_counter() - began
            if n % 20 == 0 or n == len(tasks) or spent > 60 * budget_minutes:
                cache.write_bytes(pickle.dumps(found))
                print(f"  {n}/{len(tasks)} fitted, {spent:.0f} s, load {os.getloadavg()[0]:.1f}", flush=True)
            if spent > 60 * budget_minutes:
                print(f"  budget of {budget_minutes:g} minutes spent: stopping", flush=True)
                pool.shutdown(wait=False, cancel_futures=True)
                break
    return found


def fully_fitted(scenarios: list[Scenario], fitted: dict[tuple[int, int], Forecast | str]) -> list[Scenario]:
    """The scenarios whose every review has a forecast (or a failed fit): a partial one would bias the counts."""
    return [s for s in scenarios if all((s.number, r) in fitted for r in s.reviews())]


@dataclass
class Review:
    """What one method said at one review, and what happened."""

    scenario: int
    day: int
    probability: float
    level: str
    stockout_in: int | None  # days from the review to the stock-out (None: not within the simulated days)


def outlook_review(scenario: Scenario, day: int, f: Forecast, rule: FlagRule) -> tuple[float, str]:
    """The project's outlook: sample paths through the FEFO projection, flags from their distribution."""
    spread = (spread_from_cumulative_bands(f.yhat, f.cum_lower, f.cum_upper) if f.cum_lower and f.cum_upper
              else spread_from_daily_bands(f.yhat, f.lower, f.upper))
    data = OutlookInput(START, [Lot(round(scenario.stock_at(day)), dt.date.max)], [], 0, 0, f.yhat, spread,
                        LEAD, SAFETY)
    projection = project_stock(data)
    return projection.probability_within(LEAD), flag_level(projection, LEAD, SAFETY, rule).value


def legacy_review(scenario: Scenario, day: int, f: Forecast) -> tuple[float, str]:
    stock = scenario.stock_at(day)
    return legacy_outlook.probability(stock, f.yhat, f.upper, LEAD), legacy_outlook.level(stock, f.upper, LEAD,
                                                                                          SAFETY)


def burn_rate_review(scenario: Scenario, day: int) -> tuple[float, str]:
    """CDC burn rate: days of supply at the mean of the last 7 days."""
    rate = float(np.mean(scenario.demand[HISTORY + day - 7:HISTORY + day]))
    supply = scenario.stock_at(day) / rate if rate > 0 else float("inf")
    level = "critical" if supply <= LEAD else "warning" if supply <= LEAD + SAFETY else "none"
    return (1.0 if supply <= LEAD else 0.0), level


def oracle_review(stockout_in: int | None) -> tuple[float, str]:
    if stockout_in is not None and stockout_in <= LEAD:
        return 1.0, "critical"
    if stockout_in is not None and stockout_in <= LEAD + SAFETY:
        return 0.0, "warning"
    return 0.0, "none"


def evaluate(scenarios: list[Scenario], fitted: dict[tuple[int, int], Forecast | str],
             rule: FlagRule) -> dict[str, list[Review]]:
    methods: dict[str, list[Review]] = {"outlook (new)": [], "present method": [], "CDC burn rate": [], "oracle": []}
    for scenario in scenarios:
        out = scenario.stockout_day()
        for day in scenario.reviews():
            f = fitted.get((scenario.number, day))
            if not isinstance(f, Forecast):
                continue
            left = None if out is None else out - day
            for name, (p, level) in (("outlook (new)", outlook_review(scenario, day, f, rule)),
                                     ("present method", legacy_review(scenario, day, f)),
                                     ("CDC burn rate", burn_rate_review(scenario, day)),
                                     ("oracle", oracle_review(left))):
                methods[name].append(Review(scenario.number, day, p, level, left))
    return methods


def within(review: Review, days: int) -> bool:
    return review.stockout_in is not None and review.stockout_in <= days


def warned_in_time(reviews: list[Review], scenarios: list[Scenario]) -> tuple[int, int, list[int]]:
    """Stock-outs warned at the last review at least the lead time before them; and days of warning."""
    warned, counted, days = 0, 0, []
    by_scenario: dict[int, list[Review]] = {}
    for r in reviews:
        by_scenario.setdefault(r.scenario, []).append(r)
    for scenario in scenarios:
        out = scenario.stockout_day()
        mine = sorted(by_scenario.get(scenario.number, []), key=lambda r: r.day)
        chances = [r for r in mine if out is not None and out - r.day >= LEAD]
        if out is None or out >= EVALUATED or not chances:
            continue
        counted += 1
        if chances[-1].level in WARNED:
            warned += 1
        run = 0
        for r in reversed(mine):
            if r.level not in WARNED:
                break
            run = out - r.day
        if run:
            days.append(run)
    return warned, counted, days


def report(name: str, reviews: list[Review], scenarios: list[Scenario]) -> dict[str, float]:
    outcomes = [1.0 if within(r, LEAD) else 0.0 for r in reviews]
    brier = statistics.fmean((r.probability - y) ** 2 for r, y in zip(reviews, outcomes, strict=True))
    warned, counted, days = warned_in_time(reviews, scenarios)
    flagged = [r for r in reviews if r.level in WARNED]
    false = [r for r in flagged if not within(r, FALSE_ALARM_DAYS)]
    critical_low = sum(1 for r in reviews if r.level == "critical" and r.probability < 0.05)
    out_low = sum(1 for r, y in zip(reviews, outcomes, strict=True) if y and r.probability < 0.05)
    print(f"\n{name}: Brier {brier:.3f}; warned in time {warned}/{counted} = {100 * warned / max(counted, 1):.0f} %; "
          f"false alarms {len(false)}/{len(flagged)} = {100 * len(false) / max(len(flagged), 1):.0f} %; "
          f"median days of warning {statistics.median(days) if days else 0:.0f}; "
          f"critical flags with P < 5 %: {critical_low}; stock-outs within the lead time given P < 5 %: {out_low}")
    print("  P(stock-out within lead time) | reviews | mean P | observed")
    for low, high in itertools.pairwise(BINS):
        members = [(r.probability, y) for r, y in zip(reviews, outcomes, strict=True) if low <= r.probability < high]
        if members:
            print(f"  {low:.2f}-{min(high, 1):.2f}                     | {len(members):7d} | "
                  f"{statistics.fmean(p for p, _ in members):6.3f} | {statistics.fmean(y for _, y in members):6.3f}")
    return {"brier": brier, "warned": warned / max(counted, 1), "false": len(false) / max(len(flagged), 1)}


def coverage(scenarios: list[Scenario], fitted: dict[tuple[int, int], Forecast | str]) -> None:
    """How often the engine's 80 % intervals held the actual demand."""
    daily_in = daily_all = cum_in = cum_all = 0
    for scenario in scenarios:
        for day in scenario.reviews():
            f = fitted.get((scenario.number, day))
            if not isinstance(f, Forecast):
                continue
            actual = scenario.demand[HISTORY + day:HISTORY + day + 28]
            for a, lo, hi in zip(actual, f.lower, f.upper, strict=False):
                daily_in += lo <= a <= hi
                daily_all += 1
            if f.cum_lower and f.cum_upper:
                total = float(np.sum(scenario.demand[HISTORY + day:HISTORY + day + LEAD]))
                cum_in += f.cum_lower[LEAD - 1] <= total <= f.cum_upper[LEAD - 1]
                cum_all += 1
    print(f"\n80 % interval coverage: daily (days 1-28) {100 * daily_in / max(daily_all, 1):.1f} % of {daily_all}; "
          + (f"cumulative at {LEAD} days {100 * cum_in / cum_all:.1f} % of {cum_all}" if cum_all else
             "cumulative: the engine stored no cumulative band"))


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenarios", type=int, default=120)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/warning_bench"))
    parser.add_argument("--critical", type=float, default=RULE.critical, help="P within lead time for critical")
    parser.add_argument("--warning", type=float, default=RULE.warning, help="P within lead + safety for warning")
    parser.add_argument("--without-prophet", action="store_true", help="leave Prophet out of the engine's choice")
    parser.add_argument("--budget-minutes", type=float, default=float("inf"), help="stop fitting after this long")
    return parser.parse_args()


def main() -> None:
    args = parse()
    args.cache.mkdir(parents=True, exist_ok=True)
    print(f"warning benchmark: {args.scenarios} scenarios, seed {args.seed}; lead {LEAD} d, safety {SAFETY} d; "
          f"{platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}")
    scenarios = [make_scenario(n, args.seed) for n in range(args.scenarios)]
    outs = [s.stockout_day() for s in scenarios]
    print(f"stock-outs within the {EVALUATED} evaluated days: {sum(1 for o in outs if o is not None and o < EVALUATED)}"
          f" of {len(scenarios)}; reviews: {sum(len(s.reviews()) for s in scenarios)}")
    name = f"forecasts-{args.seed}-{args.scenarios}{'-without-prophet' if args.without_prophet else ''}.pickle"
    fitted = forecasts(scenarios, args.cache / name, args.workers, args.without_prophet, args.budget_minutes)
    scenarios = fully_fitted(scenarios, fitted)
    outs = [s.stockout_day() for s in scenarios]
    print(f"evaluated: {len(scenarios)} fully fitted scenarios, "
          f"{sum(1 for o in outs if o is not None and o < EVALUATED)} with a stock-out; "
          f"engine {'without' if args.without_prophet else 'with'} Prophet")
    failed = [v for v in fitted.values() if isinstance(v, str)]
    methods = [v.method for v in fitted.values() if isinstance(v, Forecast)]
    print(f"failed fits: {len(failed)}; methods: " + ", ".join(f"{m} {methods.count(m)}" for m in sorted(set(methods))))
    rule = FlagRule(args.critical, args.warning, RULE.watch)
    print(f"flag rule: critical at P(lead) >= {rule.critical}, warning at P(lead + safety) >= {rule.warning}")
    for name, reviews in evaluate(scenarios, fitted, rule).items():
        report(name, reviews, scenarios)
    coverage(scenarios, fitted)


if __name__ == "__main__":
    main()
