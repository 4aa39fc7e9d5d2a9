"""The projection on worked examples computed by hand, the closed-form FEFO against a day-by-day loop, the
probability from persistent errors, and the coherence of dates, probabilities and flags."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stockpile.forecast.flags import RULE, FlagRule, compare, flag_level, is_worse
from stockpile.forecast.models import FlagChange, FlagLevel
from stockpile.forecast.projection import Lot, OutlookInput, Spread, project_many, project_stock

START = dt.date(2026, 12, 1)
LASTING = dt.date(2030, 1, 1)


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


def example(**kw) -> OutlookInput:
    # 100 units last pickable on day 2 (Dec 3), 50 lasting; 40 arrive on day 3; 10 committed; 20/day.
    values = {"start": START, "lots": [Lot(100, day(2), 1), Lot(50, LASTING, 2)], "deliveries": [(day(3), 40)],
              "committed": 10, "pending": 0, "forecast": [20.0] * 6, "spread": Spread.none(6), "lead_time_days": 3,
              "safety_stock_days": 2}
    return OutlookInput(**{**values, **kw})


def persistent(sigma_per_day: float, days: int) -> Spread:
    """Fully persistent daily errors: the spread of cumulative demand grows by sigma every day."""
    values = tuple(sigma_per_day * (t + 1) for t in range(days))
    return Spread(values, values)


def test_worked_example_by_hand() -> None:
    # day0: 150 - 10 committed - 20 = 120 (taken from the lot that goes first: 70 left of it, 50 lasting)
    # day1: 100 (50 left of it); day2: 80 (30 left; still pickable on its last pick day)
    # day3: its 30 lost; +40 delivered; 50 + 40 - 20 = 70;  day4: 50;  day5: 30
    projection = project_stock(example())
    assert projection.central == [120, 100, 80, 70, 50, 30]
    assert projection.pessimistic == projection.central  # no spread: every path is the forecast
    assert projection.waste == {1: 30, 2: 0}
    assert projection.stockout_central is None
    assert projection.probability == [0.0] * 6
    # without the delivery: 120, 100, 80, 30, 10, -10 -> the stock meets days 0-4: 5 days of supply
    assert projection.days_of_supply == 5
    assert projection.mean_daily_forecast == 20
    assert projection.safety_stock == 40
    assert projection.below_safety == day(5)  # 30 < 40


def test_committed_and_pending_are_taken_today() -> None:
    # 100 in stock, 30 committed and 50 pending on day 0, 10 a day: 10, 0, -10 -> out on day 2
    projection = project_stock(example(lots=[Lot(100, LASTING)], deliveries=[], committed=30, pending=50,
                                       forecast=[10.0] * 4, spread=Spread.none(4)))
    assert projection.central == [10, 0, -10, -20]
    assert projection.stockout_central == day(2)
    assert projection.days_of_supply == 2


def test_a_lot_past_its_last_pick_day_is_not_usable_and_one_close_to_it_is_lost_then() -> None:
    lots = [Lot(500, day(-1), 1), Lot(300, day(1), 2), Lot(100, LASTING, 3)]
    data = example(lots=lots, deliveries=[], committed=0, forecast=[50.0] * 5, spread=Spread.none(5))
    assert data.usable == 400
    projection = project_stock(data)
    # lot 2 meets days 0-1 (100 of its 300), the other 200 are lost on day 2; lot 3 meets days 2-3, then out
    assert projection.central == [350, 300, 50, 0, -50]
    assert projection.waste == {2: 200, 3: 0}
    assert projection.stockout_central == day(4)


def test_a_delivery_after_the_stockout_does_not_hide_it() -> None:
    # 100 in stock, 20 a day, 1,000 arriving on day 10: out on day 5, well within a 14-day lead time
    data = example(lots=[Lot(100, LASTING)], deliveries=[(day(10), 1000)], committed=0, forecast=[20.0] * 30,
                   spread=persistent(2.0, 30), lead_time_days=14, safety_stock_days=7)
    projection = project_stock(data)
    assert projection.stockout_central == day(5)
    assert projection.probability_within(14) >= 0.5
    assert flag_level(projection, 14, 7) is FlagLevel.CRITICAL
    assert projection.central[10] == pytest.approx(100 + 1000 - 20 * 11)


def test_persistent_errors_give_the_probability_by_hand() -> None:
    # 470 in stock, 20 +- 5 a day, errors persisting: over 21 days (0-20) demand is 420 +- 105;
    # P(demand > 470) = 1 - Phi(50 / 105) = 0.317 (independent errors would say 1 - Phi(50 / 22.9) = 0.015)
    data = example(lots=[Lot(470, LASTING)], deliveries=[], committed=0, forecast=[20.0] * 60,
                   spread=persistent(5.0, 60), lead_time_days=20, safety_stock_days=14)
    expected = 0.5 * math.erfc((50 / 105) / math.sqrt(2))
    assert expected == pytest.approx(0.317, abs=0.001)
    assert project_stock(data).probability_within(20) == pytest.approx(expected, abs=0.01)


def fefo_by_day(data: OutlookInput, demand: list[float]) -> list[float]:
    """A plain day-by-day FEFO loop, the reference for the closed form."""
    lots = sorted([(lot.last_pick_day, float(lot.quantity)) for lot in data.lots if lot.last_pick_day >= data.start])
    owed, stock = 0.0, []
    for i, need in enumerate(demand):
        today = data.start + dt.timedelta(days=i)
        lots = [(last, qty) for last, qty in lots if last >= today]
        lots += [(dt.date.max, float(q)) for d, q in data.deliveries if d == today]
        lots.sort()
        take = need + (data.committed + data.pending if i == 0 else 0) + owed
        left = []
        for last, qty in lots:
            used = min(qty, take)
            take -= used
            if qty - used > 0:
                left.append((last, qty - used))
        lots, owed = left, take
        stock.append(sum(q for _last, q in lots) - owed)
    return stock


inputs = st.builds(
    lambda lots, deliveries, committed, pending, rate: OutlookInput(
        START, [Lot(q, day(d), i) for i, (q, d) in enumerate(lots)], [(day(d), q) for d, q in deliveries],
        committed, pending, [float(rate)] * 20, Spread.none(20), 5, 3),
    st.lists(st.tuples(st.integers(1, 400), st.integers(-3, 30)), max_size=6),
    st.lists(st.tuples(st.integers(0, 19), st.integers(1, 300)), max_size=3),
    st.integers(0, 100), st.integers(0, 50), st.integers(0, 60),
)


@settings(max_examples=150, deadline=None)
@given(inputs)
def test_closed_form_fefo_equals_the_day_by_day_loop(data: OutlookInput) -> None:
    expected = fefo_by_day(data, list(data.forecast))
    assert project_stock(data).central == pytest.approx(expected, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(inputs, st.floats(0.5, 30))
def test_dates_probabilities_and_flags_agree(data: OutlookInput, sigma: float) -> None:
    data = OutlookInput(data.start, data.lots, data.deliveries, data.committed, data.pending, data.forecast,
                        persistent(sigma, 20), data.lead_time_days, data.safety_stock_days)
    p = project_stock(data)
    lead = data.lead_time_days
    if p.stockout_central is not None and (p.stockout_central - START).days <= lead:
        assert p.probability_within(lead) >= 0.5
        assert flag_level(p, lead, data.safety_stock_days) is FlagLevel.CRITICAL
    if p.stockout_pessimistic is not None:
        assert p.probability_within((p.stockout_pessimistic - START).days) >= 0.1
    if flag_level(p, lead, data.safety_stock_days) is FlagLevel.CRITICAL:
        assert p.probability_within(lead) >= RULE.critical
    assert p.probability == sorted(p.probability)  # P(stock-out by a day) never falls


def test_many_items_at_once_equal_each_alone() -> None:
    many = [example(), example(forecast=[5.0] * 3, spread=persistent(2, 3)),
            example(lots=[Lot(70, LASTING)], forecast=[30.0] * 9, spread=persistent(4, 9))]
    for together, data in zip(project_many(many), many, strict=True):
        alone = project_stock(data)
        assert (together.central, together.pessimistic, together.probability, together.stockout_central) == (
            alone.central, alone.pessimistic, alone.probability, alone.stockout_central)


def test_no_forecast_no_projection() -> None:
    assert project_stock(example(forecast=[], spread=Spread.none(0))).days == []


# (P within lead, P within lead + safety, P within horizon) -> level, with the thresholds written out by hand
LEVELS = [
    ((0.30, 0.30, 0.30), FlagRule(0.3, 0.3, 0.1), FlagLevel.CRITICAL),
    ((0.29, 0.30, 0.30), FlagRule(0.3, 0.3, 0.1), FlagLevel.WARNING),
    ((0.00, 0.29, 0.29), FlagRule(0.3, 0.3, 0.1), FlagLevel.WATCH),
    ((0.00, 0.00, 0.09), FlagRule(0.3, 0.3, 0.1), FlagLevel.NONE),
    ((0.50, 0.60, 0.90), FlagRule(0.5, 0.2, 0.1), FlagLevel.CRITICAL),
]


@pytest.mark.parametrize(("chances", "rule", "expected"), LEVELS)
def test_flag_levels_from_the_probabilities(chances, rule, expected) -> None:
    lead, total, horizon = chances
    # a projection whose probability steps up at day 3 (lead), day 5 (lead + safety) and day 9 (horizon end)
    probability = [0.0] * 3 + [lead] * 2 + [total] * 4 + [horizon]
    projection = project_stock(example(forecast=[0.0] * 10, spread=Spread.none(10)))
    stepped = type(projection)(**{**vars(projection), "probability": probability})
    assert flag_level(stepped, 3, 2, rule) is expected


@pytest.mark.parametrize(("previous", "current", "change"), [
    (None, FlagLevel.NONE, FlagChange.UNCHANGED),
    (None, FlagLevel.WARNING, FlagChange.NEW),
    (FlagLevel.WATCH, FlagLevel.CRITICAL, FlagChange.WORSENED),
    (FlagLevel.CRITICAL, FlagLevel.WATCH, FlagChange.IMPROVED),
    (FlagLevel.WARNING, FlagLevel.NONE, FlagChange.RESOLVED),
])
def test_change_against_the_previous_state(previous, current, change) -> None:
    assert compare(previous, current) is change


BEYOND = day(91)


@pytest.mark.parametrize(("now", "then", "worse"), [
    ((FlagLevel.CRITICAL, day(20)), (FlagLevel.WARNING, day(20)), True),    # a higher level
    ((FlagLevel.WARNING, day(14)), (FlagLevel.WARNING, day(20)), False),    # six days sooner
    ((FlagLevel.WARNING, day(13)), (FlagLevel.WARNING, day(20)), True),     # a week sooner
    ((FlagLevel.WATCH, day(5)), (FlagLevel.CRITICAL, day(30)), True),       # lower, but 25 days sooner
    ((FlagLevel.WARNING, day(40)), (FlagLevel.WARNING, None), True),        # a date where there was none
    ((FlagLevel.WARNING, None), (FlagLevel.WARNING, day(40)), False),       # better
])
def test_when_a_flag_counts_as_worse(now, then, worse) -> None:
    assert is_worse(now[0], now[1], then[0], then[1], BEYOND) is worse


def test_the_spread_from_the_engines_cumulative_band() -> None:
    from stockpile.forecast.spread import spread_from_cumulative_bands

    # 10 a day; the 80 % band of cumulative demand 10 +- 1.2816 * 2 on day 1, 20 - 1.2816 * 3 .. 20 + 1.2816 * 5
    z = 1.2816
    spread = spread_from_cumulative_bands([10.0, 10.0], [10 - 2 * z, 20 - 3 * z], [10 + 2 * z, 20 + 5 * z])
    assert spread.below == pytest.approx((2, 3), abs=1e-3)
    assert spread.above == pytest.approx((2, 5), abs=1e-3)


def test_the_spread_from_daily_bands_lies_between_independent_and_persistent_errors() -> None:
    from stockpile.forecast.spread import spread_from_daily_bands

    z = 1.2816
    # sigma 5 a day for 4 days: independent 10, persistent 20; half persisting: sqrt(0.5 * 100 + 0.5 * 400)
    spread = spread_from_daily_bands([20.0] * 4, [20 - 5 * z] * 4, [20 + 5 * z] * 4, persistence=0.5)
    assert spread.above[-1] == pytest.approx(math.sqrt(250), abs=1e-3)
    assert spread.below[-1] == pytest.approx(math.sqrt(250), abs=1e-3)
