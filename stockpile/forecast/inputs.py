"""What an outlook is computed from, read in bulk for any number of items: the lots picking can use, reservations,
expected deliveries, committed and pending demand, and the stored forecast in force.

A handful of queries whatever the number of items, so the dashboard's 200 items cost what one item costs, plus
the simulation.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

from stockpile.db import session
from stockpile.forecast.demand import committed_demand_by_item, pending_demand
from stockpile.forecast.models import (
    DeliveryStatus,
    ExpectedDelivery,
    ForecastPoint,
    ForecastRun,
    ForecastSeries,
    RunStatus,
)
from stockpile.forecast.projection import Lot, OutlookInput, Spread
from stockpile.forecast.spread import spread_from_cumulative_bands, spread_from_daily_bands
from stockpile.inventory.models import Lot as StockLot
from stockpile.inventory.models import QualityStatus, StockBalance
from stockpile.policy_log import services as policy_log
from stockpile.reference.models import Item, Warehouse


@dataclass(frozen=True)
class StoredForecast:
    """The national forecast in force for an item, from today on: the newest succeeded run whose series fitted."""

    run_id: int
    series_id: int
    method: str
    made_on: dt.date  # the first day forecast, the day after the history it was fitted on
    days: list[dt.date]
    yhat: list[float]
    lower: list[float]
    upper: list[float]
    spread: Spread


@dataclass
class ItemInputs:
    """One item's stock figures and projection input."""

    item: Item
    usable: int = 0
    reserved: int = 0
    committed: int = 0
    pending: int = 0
    lots: list[Lot] = field(default_factory=list)
    deliveries: list[tuple[dt.date, int]] = field(default_factory=list)
    forecast: StoredForecast | None = None

    def projection_input(self, today: dt.date, factor: float) -> OutlookInput | None:
        """The projection's input with demand scaled by a what-if factor; None without a forecast."""
        if self.forecast is None or not self.forecast.yhat:
            return None
        data = OutlookInput(today, self.lots, self.deliveries, self.committed, self.pending, self.forecast.yhat,
                            self.forecast.spread, self.item.lead_time_days, self.item.safety_stock_days)
        return data.scaled(factor) if factor != 1.0 else data


def min_remaining_shelf_life() -> int:
    """Days of shelf life a lot must have left for picking to use it: the policy in force (`policy_log`)."""
    return policy_log.min_shelf_life_days()


def read_inputs(items: Sequence[Item], today: dt.date) -> dict[int, ItemInputs]:
    """Every item's inputs, in a fixed number of queries."""
    inputs = {item.id: ItemInputs(item) for item in items}
    ids = list(inputs)
    _read_lots(inputs, today)
    for item_id, deliveries in _deliveries(ids, today).items():
        inputs[item_id].deliveries = deliveries
    for item_id, quantity in committed_demand_by_item(ids).items():
        inputs[item_id].committed = quantity
    for item_id, quantity in pending_demand(ids).items():
        inputs[item_id].pending = quantity
    for item_id, forecast in forecasts_in_force(ids, today).items():
        inputs[item_id].forecast = forecast
    return inputs


def _read_lots(inputs: dict[int, ItemInputs], today: dt.date) -> None:
    """Usable stock per lot: released, in an active warehouse, with the minimum shelf life left today."""
    last_pick = today + dt.timedelta(days=min_remaining_shelf_life())
    rows = session().execute(
        select(StockLot.item_id, StockLot.id, StockLot.expiry_date, func.sum(StockBalance.on_hand),
               func.sum(StockBalance.reserved))
        .join(StockBalance, StockBalance.lot_id == StockLot.id)
        .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
        .where(StockLot.item_id.in_(list(inputs)), StockBalance.on_hand > 0, Warehouse.active.is_(True),
               StockLot.quality_status == QualityStatus.RELEASED, StockLot.expiry_date >= last_pick)
        .group_by(StockLot.item_id, StockLot.id, StockLot.expiry_date)
        .order_by(StockLot.expiry_date, StockLot.id)
    )
    shelf = dt.timedelta(days=min_remaining_shelf_life())
    for item_id, lot_id, expiry, on_hand, reserved in rows:
        target = inputs[item_id]
        target.lots.append(Lot(int(on_hand), expiry - shelf, lot_id))
        target.usable += int(on_hand)
        target.reserved += int(reserved or 0)


def _deliveries(item_ids: list[int], today: dt.date) -> dict[int, list[tuple[dt.date, int]]]:
    rows = session().execute(
        select(ExpectedDelivery.item_id, ExpectedDelivery.expected_date, ExpectedDelivery.quantity)
        .where(ExpectedDelivery.item_id.in_(item_ids), ExpectedDelivery.status == DeliveryStatus.EXPECTED,
               ExpectedDelivery.expected_date >= today).order_by(ExpectedDelivery.expected_date)
    )
    result: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    for item_id, day, quantity in rows:
        result[item_id].append((day, int(quantity)))
    return result


def forecasts_in_force(item_ids: list[int], today: dt.date) -> dict[int, StoredForecast]:
    """Per item, the national series of the newest succeeded run in which it fitted, from today on.

    An item whose series failed in the latest run keeps the forecast of the run before: an alarm must not vanish
    because one fit failed.
    """
    newest = (
        select(func.max(ForecastSeries.id).label("series_id"))
        .join(ForecastRun, ForecastRun.id == ForecastSeries.run_id)
        .where(ForecastSeries.item_id.in_(item_ids), ForecastSeries.region_id.is_(None), ForecastSeries.error == "",
               ForecastRun.status == RunStatus.SUCCEEDED)
        .group_by(ForecastSeries.item_id)
    ).subquery()
    series = session().execute(
        select(ForecastSeries.id, ForecastSeries.item_id, ForecastSeries.run_id, ForecastSeries.method)
        .where(ForecastSeries.id.in_(select(newest.c.series_id)))
    ).all()
    points: dict[int, list[ForecastPoint]] = defaultdict(list)
    bands: dict[int, list[ForecastPoint]] = defaultdict(list)
    for point in session().scalars(
        select(ForecastPoint).where(ForecastPoint.series_id.in_([row.id for row in series]))
        .order_by(ForecastPoint.series_id, ForecastPoint.day)
    ):
        bands[point.series_id].append(point)
        if point.day >= today:
            points[point.series_id].append(point)
    return {row.item_id: _stored(row.id, row.run_id, row.method, bands[row.id][0].day if bands[row.id] else today,
                                 points[row.id], bands[row.id])
            for row in series}


def _stored(series_id: int, run_id: int, method: str, made_on: dt.date, points: list[ForecastPoint],
            every_point: list[ForecastPoint]) -> StoredForecast:
    yhat = [p.yhat for p in points]
    lower = [p.yhat_lower for p in points]
    upper = [p.yhat_upper for p in points]
    return StoredForecast(run_id, series_id, method, made_on, [p.day for p in points], yhat, lower, upper,
                          _spread(yhat, lower, upper, every_point))


def _spread(yhat: list[float], lower: list[float], upper: list[float], every_point: list[ForecastPoint]) -> Spread:
    """From the engine's calibrated band of cumulative demand when it stored one, else from the daily interval.

    The band runs from the forecast's first day; its width grows with the horizon whatever the day it starts
    from (stockpile.forecast.spread), so a forecast a few days old is read from today with the widths of its first
    days, around today's cumulative forecast.
    """
    if not every_point or any(p.cum_lower is None or p.cum_upper is None for p in every_point):
        return spread_from_daily_bands(yhat, lower, upper)
    below, above, total, today_total = [], [], 0.0, 0.0
    for point, daily in zip(every_point, yhat, strict=False):
        total += point.yhat
        today_total += daily
        below.append(today_total - (total - float(point.cum_lower or 0.0)))
        above.append(today_total + (float(point.cum_upper or 0.0) - total))
    return spread_from_cumulative_bands(yhat, below, above)
