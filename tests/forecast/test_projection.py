"""The projection on a worked example computed by hand, and the flag thresholds and run comparison."""

from __future__ import annotations

import datetime as dt

import pytest

from stockpile.forecast.flags import compare, flag_level
from stockpile.forecast.models import FlagChange, FlagLevel
from stockpile.forecast.projection import Batch, ProjectionInput, project_stock, simulate

START = dt.date(2026, 12, 1)


def example(**kw) -> ProjectionInput:
    # 100 units expiring on day 2 (Dec 3), 50 lasting; 40 arrive on day 3; 10 committed; 20/day, upper 30/day.
    values = {"start": START, "batches": [Batch(100, START + dt.timedelta(days=2)), Batch(50, dt.date(2030, 1, 1))],
                  "deliveries": [(START + dt.timedelta(days=3), 40)], "committed": 10, "yhat": [20.0] * 6,
                  "yhat_upper": [30.0] * 6, "lead_time_days": 3, "safety_stock_days": 2}
    return ProjectionInput(**{**values, **kw})


def test_worked_example_central_by_hand() -> None:
    # day0: 150 - 10 committed - 20 = 120 (taken from the expiring lot: 70 left, 50 lasting)
    # day1: 70 - 20 = 50 left of the expiring lot -> 100
    # day2: 50 - 20 = 30 left of it -> 80 (still usable on its expiry date)
    # day3: expiring lot's 30 lost; +40 delivered; 50 + 40 - 20 = 70
    # day4: 50; day5: 30
    assert simulate(example(), [20.0] * 6) == [120, 100, 80, 70, 50, 30]


def test_worked_example_pessimistic_and_dates() -> None:
    # upper 30/day: day0 150-10-30=110 (expiring lot 60); day1 80 (lot 30); day2 50 (lot 0);
    # day3: nothing to lose, +40: 50+40-30=60; day4 30; day5 0 -> pessimistic stock-out Dec 6 (day 5)
    projection = project_stock(example())
    assert projection.pessimistic == [110, 80, 50, 60, 30, 0]
    assert projection.stockout_pessimistic == START + dt.timedelta(days=5)
    assert projection.stockout_central is None
    assert projection.usable_now == 150
    assert projection.mean_daily_forecast == 20
    assert projection.days_of_supply == 7.5
    # safety stock = 2 days x 20 = 40; central first under 40 on day 5 (30)
    assert projection.safety_stock == 40
    assert projection.below_safety == START + dt.timedelta(days=5)


def test_stockout_probability_normal_approximation() -> None:
    # lead time 3: central stock at day 2 is 80; sigma per day (30-20)/1.2816, over 3 days sqrt(3)*7.803 = 13.5
    # z = 80/13.5 = 5.9 -> practically 0; with 200/day demand the stock is long gone -> practically 1
    assert project_stock(example()).stockout_probability < 1e-6
    heavy = example(yhat=[200.0] * 6, yhat_upper=[210.0] * 6)
    assert project_stock(heavy).stockout_probability > 0.999
    # exactly at the margin: central stock 0 at the lead time -> one half
    even = ProjectionInput(START, [Batch(60, dt.date(2030, 1, 1))], [], 0, [20.0] * 3, [30.0] * 3, 3, 0)
    assert project_stock(even).stockout_probability == pytest.approx(0.5)


def test_item_without_stock_runs_out_today_and_unused_item_never() -> None:
    empty = ProjectionInput(START, [], [], 0, [5.0] * 4, [8.0] * 4, 14, 7)
    projection = project_stock(empty)
    assert projection.stockout_central == START
    assert projection.days_of_supply == 0
    unused = ProjectionInput(START, [], [], 0, [0.0] * 4, [0.0] * 4, 14, 7)
    assert project_stock(unused).stockout_pessimistic is None
    assert project_stock(unused).days_of_supply is None


def test_what_if_factor_scales_demand() -> None:
    doubled = project_stock(example().scaled(2.0))
    assert doubled.central[0] == 150 - 10 - 40


@pytest.mark.parametrize(
    ("days", "expected"),
    [(None, FlagLevel.NONE), (0, FlagLevel.CRITICAL), (21, FlagLevel.CRITICAL), (22, FlagLevel.WARNING),
     (35, FlagLevel.WARNING), (36, FlagLevel.WATCH), (90, FlagLevel.WATCH), (91, FlagLevel.NONE)],
)
def test_flag_thresholds(days, expected) -> None:
    assert flag_level(days, lead_time_days=21, safety_stock_days=14, horizon=90) is expected


@pytest.mark.parametrize(
    ("before", "now", "change"),
    [(None, FlagLevel.WATCH, FlagChange.NEW), (FlagLevel.NONE, FlagLevel.CRITICAL, FlagChange.NEW),
     (FlagLevel.WATCH, FlagLevel.CRITICAL, FlagChange.WORSENED), (FlagLevel.CRITICAL, FlagLevel.WARNING,
     FlagChange.IMPROVED), (FlagLevel.WARNING, FlagLevel.NONE, FlagChange.RESOLVED),
     (FlagLevel.WARNING, FlagLevel.WARNING, FlagChange.UNCHANGED), (None, FlagLevel.NONE, FlagChange.UNCHANGED)],
)
def test_run_comparison(before, now, change) -> None:
    assert compare(before, now) is change
