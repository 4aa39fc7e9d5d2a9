"""Day-by-day projection of usable stock, on plain data: no database, no Flask, easy to check by hand.

Each projected day `start + i` is the stock at the end of that day:

    usable stock now - lots as they expire + expected deliveries - committed demand - cumulative forecast demand

Demand is taken from the lot that expires first (FEFO, as logistics picks), so a lot that expires only loses
what is left of it; deliveries have no known expiry and are used last. Committed demand (approved, not yet
issued) is taken on day 0. Once stock is gone, unmet demand accumulates as negative stock.

The stock-out probability before the lead time uses a normal approximation: the forecast's 80% interval
gives each day's sigma as (yhat_upper - yhat) / 1.2816 (the 90% quantile of a standard normal), and demand
over the lead time has mean Σ yhat and variance Σ sigma², treating days as independent (which understates
the spread when errors persist). The probability is P(demand over the lead time > stock available in it).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

Z_90 = 1.2816  # the 90% quantile of the standard normal: upper bound of the engine's 80% interval
DEFAULT_HORIZON_DAYS = 90


@dataclass(frozen=True)
class Batch:
    """Usable units of one lot and the last day it may be used."""

    quantity: int
    expiry_date: dt.date


@dataclass(frozen=True)
class ProjectionInput:
    """Everything a projection needs; the forecast lists start on `start`."""

    start: dt.date
    batches: Sequence[Batch]
    deliveries: Sequence[tuple[dt.date, int]]
    committed: int
    yhat: Sequence[float]
    yhat_upper: Sequence[float]
    lead_time_days: int
    safety_stock_days: int

    @property
    def usable_now(self) -> int:
        return sum(b.quantity for b in self.batches if b.expiry_date >= self.start)

    def scaled(self, factor: float) -> ProjectionInput:
        """The same input with forecast demand multiplied by a what-if factor."""
        return ProjectionInput(self.start, self.batches, self.deliveries, self.committed,
                               [v * factor for v in self.yhat], [v * factor for v in self.yhat_upper],
                               self.lead_time_days, self.safety_stock_days)


@dataclass(frozen=True)
class Projection:
    """The projected stock per day (central and pessimistic) and what follows from it."""

    start: dt.date
    central: list[float]
    pessimistic: list[float]
    usable_now: int
    mean_daily_forecast: float
    safety_stock: float
    days_of_supply: float | None
    stockout_central: dt.date | None
    stockout_pessimistic: dt.date | None
    below_safety: dt.date | None
    stockout_probability: float
    days: list[dt.date] = field(default_factory=list)

    def days_until(self, day: dt.date | None) -> int | None:
        return None if day is None else (day - self.start).days


def project_stock(data: ProjectionInput) -> Projection:
    """Project central (yhat) and pessimistic (yhat_upper) stock and derive the dates that matter."""
    horizon = len(data.yhat)
    days = [data.start + dt.timedelta(days=i) for i in range(horizon)]
    central = simulate(data, data.yhat)
    pessimistic = simulate(data, data.yhat_upper)
    mean = sum(data.yhat) / horizon if horizon else 0.0
    safety = data.safety_stock_days * mean
    return Projection(
        start=data.start, central=central, pessimistic=pessimistic, usable_now=data.usable_now,
        mean_daily_forecast=mean, safety_stock=safety,
        days_of_supply=data.usable_now / mean if mean > 0 else None,
        stockout_central=_first_day(days, central, data.yhat, 0.0),
        stockout_pessimistic=_first_day(days, pessimistic, data.yhat_upper, 0.0),
        below_safety=_first_below(days, central, safety),
        stockout_probability=stockout_probability(data, central),
        days=days,
    )


def simulate(data: ProjectionInput, demand: Sequence[float]) -> list[float]:
    """End-of-day usable stock for each day of the demand list (negative: demand left unmet)."""
    lots = sorted((b.expiry_date, float(b.quantity)) for b in data.batches if b.expiry_date >= data.start)
    arrivals: dict[dt.date, float] = {}
    for day, qty in data.deliveries:
        arrivals[day] = arrivals.get(day, 0.0) + qty
    unmet = 0.0
    stock: list[float] = []
    for i, need in enumerate(demand):
        day = data.start + dt.timedelta(days=i)
        lots = [(expiry, qty) for expiry, qty in lots if expiry >= day]  # lots past expiry are lost
        if day in arrivals:
            lots.append((dt.date.max, arrivals[day]))
        take = need + (data.committed if i == 0 else 0) + unmet
        lots, unmet = _take_fefo(lots, take)
        stock.append(sum(qty for _expiry, qty in lots) - unmet)
    return stock


def _take_fefo(lots: list[tuple[dt.date, float]], amount: float) -> tuple[list[tuple[dt.date, float]], float]:
    """Take an amount from the earliest-expiring lots first; return what is left and what could not be taken."""
    left: list[tuple[dt.date, float]] = []
    for expiry, qty in lots:
        used = min(qty, amount)
        amount -= used
        if qty - used > 0:
            left.append((expiry, qty - used))
    return left, amount


def _first_day(days: list[dt.date], stock: list[float], demand: Sequence[float], level: float) -> dt.date | None:
    """The first day stock is gone while there is demand to meet (an item nobody uses never runs out)."""
    asked = 0.0
    for day, value, need in zip(days, stock, demand, strict=True):
        asked += need
        if value <= level and asked > 0:
            return day
    return None


def _first_below(days: list[dt.date], stock: list[float], level: float) -> dt.date | None:
    """The first day stock is under a level (None when the level is zero: nothing to keep)."""
    if level <= 0:
        return None
    return next((day for day, value in zip(days, stock, strict=True) if value < level), None)


def stockout_probability(data: ProjectionInput, central: list[float]) -> float:
    """P(demand over the lead time exceeds the stock available in it), normal approximation (module doc)."""
    span = min(max(data.lead_time_days, 1), len(data.yhat))
    if span == 0:
        return 0.0
    # The central stock at the lead time is supply (net of expiry) minus mean demand, so the margin left
    # over the mean is exactly that stock; a stock-out needs demand to exceed the mean by more than it.
    margin = central[span - 1]
    variance = sum(((u - y) / Z_90) ** 2 for y, u in zip(data.yhat[:span], data.yhat_upper[:span], strict=True))
    if variance <= 0:
        return 1.0 if margin < 0 else 0.0
    z = margin / math.sqrt(variance)
    return 0.5 * math.erfc(z / math.sqrt(2))
