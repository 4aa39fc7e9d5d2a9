"""Read-side questions of forecasting: the latest runs and flags, an item's forecast and its projection inputs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import Select, select

from stockpile.db import local_today, session
from stockpile.errors import NotFound
from stockpile.forecast.demand import committed_demand
from stockpile.forecast.models import (
    DeliveryStatus,
    ExpectedDelivery,
    ForecastPoint,
    ForecastRun,
    ForecastSeries,
    RunStatus,
    ScarcityFlag,
)
from stockpile.forecast.projection import Batch, ProjectionInput
from stockpile.inventory.models import Lot, QualityStatus, StockBalance
from stockpile.reference.models import Item


def latest_run(status: RunStatus | None = RunStatus.SUCCEEDED) -> ForecastRun | None:
    """The newest run (of a status; by default the newest that succeeded, whose flags are in force)."""
    stmt = select(ForecastRun).order_by(ForecastRun.started_at.desc(), ForecastRun.id.desc()).limit(1)
    if status is not None:
        stmt = stmt.where(ForecastRun.status == status)
    return session().scalar(stmt)


def get_run(run_id: int) -> ForecastRun:
    """A run by id, or NotFound."""
    run = session().get(ForecastRun, run_id)
    if run is None:
        raise NotFound(_("No such forecast run."))
    return run


def runs_query() -> Select[ForecastRun]:
    """All runs, newest first."""
    return select(ForecastRun).order_by(ForecastRun.started_at.desc(), ForecastRun.id.desc())


def series_of(run_id: int) -> Sequence[ForecastSeries]:
    """A run's series: failed ones first, then by item code."""
    return session().scalars(
        select(ForecastSeries).where(ForecastSeries.run_id == run_id).join(ForecastSeries.item)
        .order_by(ForecastSeries.error == "", Item.code, ForecastSeries.region_id)
    ).all()


def flags_of(run_id: int) -> list[ScarcityFlag]:
    """A run's flags, soonest pessimistic stock-out first (items without one last)."""
    flags = session().scalars(select(ScarcityFlag).where(ScarcityFlag.run_id == run_id)).all()
    return sorted(flags, key=lambda f: (f.stockout_pessimistic or dt.date.max, f.stockout_central or dt.date.max,
                                        f.item.code))


def current_flags() -> list[ScarcityFlag]:
    """The flags in force: those of the latest succeeded run."""
    run = latest_run()
    return [] if run is None else flags_of(run.id)


def current_flag(item_id: int) -> ScarcityFlag | None:
    """The item's flag in force (latest succeeded run), or None when no run has flagged it."""
    run = latest_run()
    if run is None:
        return None
    return session().scalar(select(ScarcityFlag).where(ScarcityFlag.run_id == run.id,
                                                       ScarcityFlag.item_id == item_id))


def get_flag(flag_id: int) -> ScarcityFlag:
    """A flag by id, or NotFound."""
    flag = session().get(ScarcityFlag, flag_id)
    if flag is None:
        raise NotFound(_("No such flag."))
    return flag


def national_series(run_id: int, item_id: int) -> ForecastSeries | None:
    """The item's national series of a run."""
    return session().scalar(select(ForecastSeries).where(
        ForecastSeries.run_id == run_id, ForecastSeries.item_id == item_id, ForecastSeries.region_id.is_(None)))


def forecast_points(series_id: int) -> Sequence[ForecastPoint]:
    """A series' stored forecast, by day."""
    return session().scalars(
        select(ForecastPoint).where(ForecastPoint.series_id == series_id).order_by(ForecastPoint.day)).all()


def usable_batches(item_id: int, today: dt.date) -> list[Batch]:
    """Released, unexpired on-hand units of an item per lot, with each lot's expiry."""
    rows = session().execute(
        select(Lot.expiry_date, StockBalance.on_hand).join(Lot, Lot.id == StockBalance.lot_id)
        .where(StockBalance.item_id == item_id, StockBalance.on_hand > 0,
               Lot.quality_status == QualityStatus.RELEASED, Lot.expiry_date >= today)
    )
    return [Batch(int(on_hand), expiry) for expiry, on_hand in rows]


def expected_deliveries(item_id: int, today: dt.date) -> list[tuple[dt.date, int]]:
    """Deliveries still expected for an item on or after today, by date."""
    rows = session().execute(
        select(ExpectedDelivery.expected_date, ExpectedDelivery.quantity)
        .where(ExpectedDelivery.item_id == item_id, ExpectedDelivery.status == DeliveryStatus.EXPECTED,
               ExpectedDelivery.expected_date >= today).order_by(ExpectedDelivery.expected_date)
    )
    return [(day, int(qty)) for day, qty in rows]


def projection_input(item: Item, points: Sequence[ForecastPoint], today: dt.date | None = None) -> ProjectionInput:
    """An item's projection input from current stock and deliveries and a stored forecast from today on."""
    today = today or local_today()
    ahead = [p for p in points if p.day >= today]
    return ProjectionInput(
        start=today, batches=usable_batches(item.id, today), deliveries=expected_deliveries(item.id, today),
        committed=committed_demand(item.id), yhat=[p.yhat for p in ahead], yhat_upper=[p.yhat_upper for p in ahead],
        lead_time_days=item.lead_time_days, safety_stock_days=item.safety_stock_days,
    )


def deliveries_query(include_closed: bool = False) -> Select[ExpectedDelivery]:
    """Expected deliveries by date (closed ones only when asked)."""
    stmt = select(ExpectedDelivery).order_by(ExpectedDelivery.expected_date, ExpectedDelivery.id)
    if not include_closed:
        stmt = stmt.where(ExpectedDelivery.status == DeliveryStatus.EXPECTED)
    return stmt
