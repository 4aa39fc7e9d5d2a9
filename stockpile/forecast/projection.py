"""Projected stock over sample paths of demand: plain numpy, no database, no Flask, easy to check by hand.

Day 0 is today; the stock of day t is the stock at the end of that day:

    stock(t) = usable lots + deliveries arrived by t - demand through t - units left to expire by t

Supply is the lots picking can still use, each until its last pick day (its expiry minus the minimum remaining
shelf life; a lot already past that day is not usable at all), and expected deliveries on their date. Demand is
committed and pending demand on day 0, then the forecast per day. Demand takes the lot whose last pick day comes
first (FEFO, as logistics picks); deliveries have no known expiry and are used last. Demand that cannot be met stays
owed (negative stock) and is met from later deliveries.

FEFO has a closed form, which lets many paths and items run at once: with lots sorted by last pick day, lot i meets
the demand between A(i-1), what the earlier lots met, and min(A(i-1) + q(i), D(e(i))), D(e(i)) being the cumulative
demand through its last pick day; what it still holds after that day is waste. Deliveries never expire, so they only
add to the stock.

Sample paths. Path k is the forecast shifted by one persistent error factor z(k): cumulative demand through day t is
C(t) + z(k) * s(t), where s(t) is the spread (one standard deviation) of cumulative demand at that horizon, taken
from the side of the forecast the path is on; each day's demand stays non-negative. The z(k) are a stratified
sample of the standard normal (its quantiles at (k + 1/2) / K), so probabilities are smooth and reproducible.
Persistent errors are what forecasts get wrong in a crisis (a wave that rises faster than forecast stays above it
for weeks); independent daily errors would make a probability over 21 days absurdly confident.

Coherence follows from the form: cumulative demand rises with z, and more demand can only bring a stock-out sooner,
so when the central path (z = 0) runs out by a day, every path with z > 0 does too and P >= 0.5; the pessimistic
path (z at the 90 % quantile) running out by a day means P >= 0.1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

Z_90 = NormalDist().inv_cdf(0.9)  # the pessimistic path: demand this high or higher one time in ten
PATHS = 200  # an even number: half the paths lie above the central forecast
CHUNK_ITEMS = 32  # items simulated together; bounds memory at about 5 MB per array
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Lot:
    """Units of one lot that picking can use, up to and including its last pick day."""

    quantity: int
    last_pick_day: dt.date
    lot_id: int | None = None


@dataclass(frozen=True)
class Spread:
    """The spread (one standard deviation) of cumulative demand through each day, below and above the forecast."""

    below: tuple[float, ...]
    above: tuple[float, ...]

    @staticmethod
    def none(horizon: int) -> Spread:
        """No uncertainty: every path is the central forecast."""
        return Spread((0.0,) * horizon, (0.0,) * horizon)

    def scaled(self, factor: float) -> Spread:
        return Spread(tuple(v * factor for v in self.below), tuple(v * factor for v in self.above))


@dataclass(frozen=True)
class OutlookInput:
    """Everything one item's projection needs; the forecast and its spread start on `start`."""

    start: dt.date
    lots: Sequence[Lot]
    deliveries: Sequence[tuple[dt.date, int]]
    committed: int
    pending: int
    forecast: Sequence[float]
    spread: Spread
    lead_time_days: int
    safety_stock_days: int

    @property
    def usable(self) -> int:
        return sum(lot.quantity for lot in self.lots if lot.last_pick_day >= self.start)

    def scaled(self, factor: float) -> OutlookInput:
        """The same input with forecast demand (and its spread) multiplied by a what-if factor."""
        return OutlookInput(self.start, self.lots, self.deliveries, self.committed, self.pending,
                            [v * factor for v in self.forecast], self.spread.scaled(factor), self.lead_time_days,
                            self.safety_stock_days)


@dataclass(frozen=True)
class Projection:
    """Projected stock per day (central and pessimistic paths), the stock-out probability by day, and the dates."""

    start: dt.date
    days: list[dt.date]
    central: list[float]
    pessimistic: list[float]
    probability: list[float]  # P(stock-out on or before each day)
    mean_daily_forecast: float
    safety_stock: float
    days_of_supply: int | None
    stockout_central: dt.date | None
    stockout_pessimistic: dt.date | None
    below_safety: dt.date | None
    waste: dict[int | None, float] = field(default_factory=dict)  # per lot: units left to expire unused (central)

    def probability_within(self, days: int) -> float:
        """P(stock-out on or before start + days); the horizon's last value when `days` reaches past it."""
        if not self.probability or days < 0:
            return 0.0
        return self.probability[min(days, len(self.probability) - 1)]

    @property
    def total_waste(self) -> float:
        return sum(self.waste.values())


def path_factors(paths: int = PATHS) -> Floats:
    """The persistent error factor of each path: the standard normal's quantiles at (k + 1/2) / paths."""
    normal = NormalDist()
    return np.array([normal.inv_cdf((k + 0.5) / paths) for k in range(paths)])


def project_stock(data: OutlookInput, paths: int = PATHS) -> Projection:
    """One item's projection (see the module docstring)."""
    return project_many([data], paths)[0]


def project_many(inputs: Sequence[OutlookInput], paths: int = PATHS) -> list[Projection]:
    """Projections of many items, simulated together in chunks (numpy over items, paths and days)."""
    factors = np.concatenate([path_factors(paths), [0.0, Z_90]])  # the grid, then the central and pessimistic paths
    result: list[Projection] = []
    for begin in range(0, len(inputs), CHUNK_ITEMS):
        result.extend(_project_chunk(inputs[begin:begin + CHUNK_ITEMS], factors, paths))
    return result


def _project_chunk(inputs: Sequence[OutlookInput], factors: Floats, paths: int) -> list[Projection]:
    horizon = max((len(data.forecast) for data in inputs), default=0)
    if horizon == 0:
        return [_empty(data) for data in inputs]
    demand = _cumulative_demand(inputs, factors, horizon)
    arrived = np.stack([_arrivals(data, horizon) for data in inputs])
    lots = [_usable_lots(data) for data in inputs]
    owed_waste, lot_waste = _fefo_waste(demand, lots, horizon, paths)
    supply = np.array([float(sum(lot.quantity for _offset, lot in item_lots)) for item_lots in lots])
    stock = supply[:, None, None] + arrived[:, None, :] - demand - owed_waste
    first = _first_stockout(stock)
    probability = _probability_by_day(first[:, :paths], horizon)
    return [_projection(data, stock[n], arrived[n], first[n], probability[n], lots[n], lot_waste[n], paths)
            for n, data in enumerate(inputs)]


def _cumulative_demand(inputs: Sequence[OutlookInput], factors: Floats, horizon: int) -> Floats:
    """Cumulative demand per item, path and day: (items, paths, days)."""
    forecast = np.zeros((len(inputs), horizon))
    below = np.zeros((len(inputs), horizon))
    above = np.zeros((len(inputs), horizon))
    for n, data in enumerate(inputs):
        size = len(data.forecast)
        forecast[n, :size] = data.forecast
        below[n, :size] = _padded(data.spread.below, size)
        above[n, :size] = _padded(data.spread.above, size)
    # A spread can only grow with the horizon; the paths rise with z only if it does.
    rise_below = np.diff(np.maximum.accumulate(below, axis=1), axis=1, prepend=0.0)
    rise_above = np.diff(np.maximum.accumulate(above, axis=1), axis=1, prepend=0.0)
    rise = np.where(factors[None, :, None] >= 0, rise_above[:, None, :], rise_below[:, None, :])
    daily = np.maximum(forecast[:, None, :] + factors[None, :, None] * rise, 0.0)
    daily[:, :, 0] += np.array([float(data.committed + data.pending) for data in inputs])[:, None]
    return np.cumsum(daily, axis=2)


def _padded(values: Sequence[float], size: int) -> Floats:
    """A spread as long as the forecast (a shorter one keeps its last value)."""
    array = np.asarray(values[:size], dtype=float)
    if len(array) < size:
        array = np.concatenate([array, np.full(size - len(array), array[-1] if len(array) else 0.0)])
    padded: Floats = np.maximum(array, 0.0)
    return padded


def _arrivals(data: OutlookInput, horizon: int) -> Floats:
    """Units delivered by the end of each day."""
    daily = np.zeros(horizon)
    for day, quantity in data.deliveries:
        offset = (day - data.start).days
        if 0 <= offset < horizon:
            daily[offset] += quantity
    return np.cumsum(daily)


def _usable_lots(data: OutlookInput) -> list[tuple[int, Lot]]:
    """Lots picking can use from today, by last pick day, each with its day offset."""
    usable = [lot for lot in data.lots if lot.last_pick_day >= data.start and lot.quantity > 0]
    usable.sort(key=_fefo_order)
    return [((lot.last_pick_day - data.start).days, lot) for lot in usable]


def _fefo_order(lot: Lot) -> tuple[dt.date, int]:
    return lot.last_pick_day, lot.lot_id or 0


def _fefo_waste(demand: Floats, lots: list[list[tuple[int, Lot]]], horizon: int, central: int) -> tuple[Floats,
                                                                                                       Floats]:
    """FEFO in closed form: units lost by each day (items, paths, days), and each lot's loss on the central path.

    Only lots whose last pick day falls inside the horizon can lose units in it, and a lot never changes what the
    lots before it meet, so the later lots need no step at all.
    """
    items, paths, _days = demand.shape
    expiring = [[(offset, lot) for offset, lot in item_lots if offset < horizon - 1] for item_lots in lots]
    width = max((len(item_lots) for item_lots in expiring), default=0)
    offsets = np.zeros((items, width), dtype=np.int64)
    quantities = np.zeros((items, width))
    for n, item_lots in enumerate(expiring):
        offsets[n, :len(item_lots)] = [offset for offset, _lot in item_lots]
        quantities[n, :len(item_lots)] = [lot.quantity for _offset, lot in item_lots]
    rows = np.arange(items)
    met = np.zeros((items, paths))
    lost_on = np.zeros((items, paths, horizon))
    lot_waste = np.zeros((items, width))
    for i in range(width):
        quantity = quantities[:, i, None]
        used = np.clip(demand[rows, :, offsets[:, i]] - met, 0.0, quantity)  # demand through its last pick day
        met += used
        lost_on[rows, :, offsets[:, i] + 1] += quantity - used
        lot_waste[:, i] = quantity[:, 0] - used[:, central]
    return np.cumsum(lost_on, axis=2), lot_waste


def _first_stockout(stock: Floats) -> npt.NDArray[np.int64]:
    """Per item and path, the first day with demand left unmet (the horizon when there is none)."""
    short = stock < -1e-9
    first: npt.NDArray[np.int64] = np.where(short.any(axis=2), np.argmax(short, axis=2), stock.shape[2])
    return first


def _probability_by_day(first: npt.NDArray[np.int64], horizon: int) -> Floats:
    """Per item, the share of paths out of stock on or before each day."""
    items, paths = first.shape
    counts = np.zeros((items, horizon + 1))
    np.add.at(counts, (np.repeat(np.arange(items), paths), first.ravel()), 1.0)
    shares: Floats = np.cumsum(counts[:, :horizon], axis=1) / paths
    return shares


def _projection(data: OutlookInput, stock: Floats, arrived: Floats, first: npt.NDArray[np.int64],
                probability: Floats, lots: list[tuple[int, Lot]], lot_waste: Floats, paths: int) -> Projection:
    horizon = len(data.forecast)
    if horizon == 0:
        return _empty(data)
    days = [data.start + dt.timedelta(days=i) for i in range(horizon)]
    central, pessimistic = stock[paths, :horizon], stock[paths + 1, :horizon]
    mean = float(np.mean(data.forecast))
    safety = data.safety_stock_days * mean
    on_hand_only = _first_stockout((central - arrived[:horizon])[None, None, :])[0, 0]
    return Projection(
        start=data.start, days=days, central=central.tolist(), pessimistic=pessimistic.tolist(),
        probability=probability[:horizon].tolist(),
        mean_daily_forecast=mean, safety_stock=safety,
        days_of_supply=int(on_hand_only) if on_hand_only < horizon else None,
        stockout_central=_day(days, first[paths]), stockout_pessimistic=_day(days, first[paths + 1]),
        below_safety=next((day for day, v in zip(days, central, strict=True) if v < safety), None)
        if safety > 0 else None,
        waste={lot.lot_id: float(lot_waste[i]) if i < len(lot_waste) else 0.0 for i, (_offset, lot) in enumerate(lots)},
    )


def _day(days: list[dt.date], index: np.int64) -> dt.date | None:
    return days[int(index)] if index < len(days) else None


def _empty(data: OutlookInput) -> Projection:
    """No forecast to project with: nothing is known about demand."""
    return Projection(data.start, [], [], [], [], 0.0, 0.0, None, None, None, None)


def sample_paths(data: OutlookInput, paths: int = PATHS) -> tuple[Floats, Floats]:
    """One item's paths as arrays (paths, days): cumulative demand, and the units supply has made available by each
    day (usable lots, deliveries arrived, less units lost at their last pick day). Their difference is the path's
    projected stock; the risk per essential process splits both (`process_risk.py`)."""
    horizon = len(data.forecast)
    if horizon == 0:
        return np.zeros((paths, 0)), np.zeros((paths, 0))
    demand = _cumulative_demand([data], path_factors(paths), horizon)
    lots = [_usable_lots(data)]
    lost, _lot_waste = _fefo_waste(demand, lots, horizon, 0)
    supply = float(sum(lot.quantity for _offset, lot in lots[0]))
    available: Floats = supply + _arrivals(data, horizon)[None, :] - lost[0]
    cumulative: Floats = demand[0]
    return cumulative, available
