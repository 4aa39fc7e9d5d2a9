"""Read-side questions of forecasting: runs and their series, an item's stored forecast, expected deliveries, flag
history and acknowledgements."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from stockpile.db import session
from stockpile.errors import NotFound
from stockpile.forecast.models import (
    Acknowledgement,
    DeliveryStatus,
    ExpectedDelivery,
    FlagEvent,
    FlagEventKind,
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


CHANGE_KINDS = (FlagEventKind.NEW, FlagEventKind.WORSENED, FlagEventKind.IMPROVED, FlagEventKind.RESOLVED)


def open_acknowledgements(item_ids: list[int]) -> dict[int, Acknowledgement]:
    """Per item, the acknowledgement not yet ended (whether the flag has worsened since is flags.still_holds)."""
    rows = session().scalars(select(Acknowledgement).where(Acknowledgement.item_id.in_(item_ids),
                                                           Acknowledgement.ended_at.is_(None)))
    return {ack.item_id: ack for ack in rows}


def last_changes(item_ids: list[int]) -> dict[int, FlagEvent]:
    """Per item, the newest change of its flag level."""
    newest = (select(func.max(FlagEvent.id)).where(FlagEvent.item_id.in_(item_ids), FlagEvent.kind.in_(CHANGE_KINDS))
              .group_by(FlagEvent.item_id))
    return {event.item_id: event for event in session().scalars(select(FlagEvent).where(FlagEvent.id.in_(newest)))}


def flag_history(item_id: int, limit: int = 50) -> Sequence[FlagEvent]:
    """An item's flag history, newest first."""
    return session().scalars(select(FlagEvent).where(FlagEvent.item_id == item_id)
                             .order_by(FlagEvent.at.desc(), FlagEvent.id.desc()).limit(limit)).all()
