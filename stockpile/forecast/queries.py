"""Read-side questions of forecasting: runs and their series, an item's stored forecast, expected deliveries."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import Select, select

from stockpile.db import session
from stockpile.errors import NotFound
from stockpile.forecast.models import (
    DeliveryStatus,
    ExpectedDelivery,
    ForecastPoint,
    ForecastRun,
    ForecastSeries,
    RunLogLine,
    RunStatus,
)
from stockpile.reference.models import Item


def latest_run(status: RunStatus | None = RunStatus.SUCCEEDED) -> ForecastRun | None:
    """The newest run (of a status; by default the newest that succeeded, whose forecast is in force)."""
    stmt = select(ForecastRun).order_by(ForecastRun.queued_at.desc(), ForecastRun.id.desc()).limit(1)
    if status is not None:
        stmt = stmt.where(ForecastRun.status == status)
    return session().scalar(stmt)


def get_run(run_id: int) -> ForecastRun:
    """A run by id, as the database has it now (another process may be executing it), or NotFound."""
    run = session().get(ForecastRun, run_id, populate_existing=True)
    if run is None:
        raise NotFound(_("No such forecast run."))
    return run


def runs_query() -> Select[ForecastRun]:
    """All runs, newest first."""
    return select(ForecastRun).order_by(ForecastRun.queued_at.desc(), ForecastRun.id.desc())


def log_of(run_id: int) -> Sequence[RunLogLine]:
    """A run's log, oldest line first."""
    return session().scalars(select(RunLogLine).where(RunLogLine.run_id == run_id)
                             .order_by(RunLogLine.at, RunLogLine.id)).all()


def series_of(run_id: int) -> Sequence[ForecastSeries]:
    """A run's series: failed ones first, then by item code."""
    return session().scalars(
        select(ForecastSeries).where(ForecastSeries.run_id == run_id).join(ForecastSeries.item)
        .order_by(ForecastSeries.error == "", Item.code, ForecastSeries.region_id)
    ).all()


def get_series(series_id: int) -> ForecastSeries | None:
    """A stored series by id."""
    return session().get(ForecastSeries, series_id)


def national_series(run_id: int, item_id: int) -> ForecastSeries | None:
    """The item's national series of a run."""
    return session().scalar(select(ForecastSeries).where(
        ForecastSeries.run_id == run_id, ForecastSeries.item_id == item_id, ForecastSeries.region_id.is_(None)))


def forecast_points(series_id: int) -> Sequence[ForecastPoint]:
    """A series' stored forecast, by day."""
    return session().scalars(
        select(ForecastPoint).where(ForecastPoint.series_id == series_id).order_by(ForecastPoint.day)).all()


def deliveries_query(include_closed: bool = False) -> Select[ExpectedDelivery]:
    """Expected deliveries by date (closed ones only when asked)."""
    stmt = select(ExpectedDelivery).order_by(ExpectedDelivery.expected_date, ExpectedDelivery.id)
    if not include_closed:
        stmt = stmt.where(ExpectedDelivery.status == DeliveryStatus.EXPECTED)
    return stmt
