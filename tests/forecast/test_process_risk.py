"""Risk per essential process, worked by hand: tier 1 draws first, lower tiers see what is left, allocations hold."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from stockpile.forecast.process_risk import Claim, stockout_probability
from stockpile.forecast.projection import Lot, OutlookInput, Spread, project_stock, sample_paths

# One path: 10 units asked a day, 35 units available throughout.
DEMAND = np.array([[10.0, 20.0, 30.0, 40.0, 50.0]])
AVAILABLE = np.full((1, 5), 35.0)


def test_a_tier_two_process_runs_out_while_tier_one_is_still_served() -> None:
    # Police (tier 1) and schools (tier 2) each ask half. Police need 5, 10, 15, 20, 25: always within 35.
    # Schools get what is left: 30, 25, 20, 15, 10 against their 5, 10, 15, 20, 25: short on day 3 (20 > 15).
    risk = stockout_probability(DEMAND, AVAILABLE, [Claim(1, 1, 0.5), Claim(2, 2, 0.5)])
    assert risk[1].tolist() == [0, 0, 0, 0, 0]
    assert risk[2].tolist() == [0, 0, 0, 1, 1]


def test_one_tier_that_cannot_be_served_in_full_is_short_together() -> None:
    # Two tier-1 processes share pro rata: together they need 40 on day 3 against 35, so both are short.
    risk = stockout_probability(DEMAND, AVAILABLE, [Claim(1, 1, 0.5), Claim(2, 1, 0.5)])
    assert risk[1].tolist() == risk[2].tolist() == [0, 0, 0, 1, 1]


def test_an_allocation_protects_its_process_and_holds_stock_back_from_the_others() -> None:
    # Schools (tier 2) have 30 ring-fenced: police (tier 1) see only 5 free and run out on day 1 (10 > 5);
    # schools need 5..25 and have their 30: never short.
    risk = stockout_probability(DEMAND, AVAILABLE, [Claim(1, 1, 0.5), Claim(2, 2, 0.5, ring_fenced=30)])
    assert risk[1].tolist() == [0, 1, 1, 1, 1]
    assert risk[2].tolist() == [0, 0, 0, 0, 0]


def test_a_process_without_demand_never_runs_out() -> None:
    risk = stockout_probability(DEMAND, AVAILABLE, [Claim(1, 1, 1.0), Claim(2, 2, 0.0, ring_fenced=10)])
    assert risk[2].tolist() == [0, 0, 0, 0, 0]
    assert risk[1].tolist() == [0, 0, 1, 1, 1]  # 25 free beyond the 10 held back


@pytest.fixture
def wave():
    """100 a day forecast with a widening spread, 2,000 units in stock: the stock-out is around day 20."""
    days = 40
    return OutlookInput(dt.date(2026, 12, 1), [Lot(2000, dt.date(2027, 6, 1), 1)], [], 0, 0, [100.0] * days,
                        Spread(tuple(20.0 * (t + 1) for t in range(days)), tuple(30.0 * (t + 1) for t in range(days))),
                        14, 7)


def test_with_one_process_the_risk_is_the_items_own(wave) -> None:
    demand, available = sample_paths(wave)
    risk = stockout_probability(demand, available, [Claim(7, 1, 1.0)])[7]
    assert risk.tolist() == pytest.approx(project_stock(wave).probability)


def test_a_tier_two_process_risk_rises_before_tier_ones_on_sample_paths(wave) -> None:
    demand, available = sample_paths(wave)
    risk = stockout_probability(demand, available, [Claim(1, 1, 0.6), Claim(2, 2, 0.4)])
    item = project_stock(wave).probability
    assert all(r2 >= r1 for r1, r2 in zip(risk[1], risk[2], strict=True))  # never less at risk than tier 1
    half = {p: next(day for day, r in enumerate(risk[p]) if r >= 0.5) for p in (1, 2)}
    # Tier 2 (40 a day) is short once the item's stock cannot cover tier 1's 60 a day and its own: like the item,
    # around day 20; tier 1 lasts until 2,000 units meet its 60 a day alone, around day 33.
    assert half[2] == next(day for day, r in enumerate(item) if r >= 0.5)
    assert half[1] > half[2] + 10
