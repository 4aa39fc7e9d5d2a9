"""A forecast run's lifecycle: start it, have `fitting` read and fit every series, then store forecasts and flags.

The run row is committed as `running` first, so a second start anywhere meets the unique partial index on
`forecast_runs.status`. Series are fitted in worker processes (one failing series is recorded, never fatal);
the parent writes every result in one transaction. If that fails, the run is recorded `failed` and the flags
of the previous succeeded run stay in force.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterable

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from stockpile import audit
from stockpile.db import local_today, session, transaction, utcnow
from stockpile.errors import Conflict
from stockpile.forecast import fitting, queries
from stockpile.forecast.demand import committed_demand
from stockpile.forecast.engine.jobs import SeriesOutcome
from stockpile.forecast.engine.pool import Progress, ShouldStop
from stockpile.forecast.flags import compare, level_for
from stockpile.forecast.models import (
    FlagChange,
    FlagLevel,
    ForecastRun,
    RunStatus,
    RunTrigger,
    ScarcityFlag,
)
from stockpile.forecast.projection import ProjectionInput, project_stock
from stockpile.reference.models import Item

log = logging.getLogger(__name__)


def start_run(trigger: RunTrigger, user_id: int | None = None) -> ForecastRun:
    """Record a new running run, or raise Conflict when one is running already (in any process)."""
    fail_abandoned_runs()
    run = ForecastRun(trigger=trigger, started_by_id=user_id, status=RunStatus.RUNNING, started_at=utcnow(),
                      horizon_days=int(current_app.config["FORECAST_HORIZON_DAYS"]))
    try:
        with session().begin_nested():
            session().add(run)
            session().flush()
    except IntegrityError:
        running = queries.latest_run(RunStatus.RUNNING)
        raise Conflict(_("A forecast run is already running (run %(id)s, started %(at)s UTC); wait for it to "
                         "finish.", id=running.id if running else "?",
                         at=running.started_at.strftime("%Y-%m-%d %H:%M") if running else "?")) from None
    audit.record(user_id, "forecast.run_start", run, trigger=trigger.value)
    return run


def fail_abandoned_runs() -> None:
    """A run still 'running' long after any run could take was killed with its process: mark it failed."""
    limit = utcnow() - dt.timedelta(minutes=int(current_app.config["FORECAST_RUN_TIMEOUT_MINUTES"]))
    session().execute(
        update(ForecastRun).where(ForecastRun.status == RunStatus.RUNNING, ForecastRun.started_at < limit)
        .values(status=RunStatus.FAILED, finished_at=utcnow(), error_summary="abandoned: its process stopped")
        .execution_options(synchronize_session=False)
    )


def run_forecast(trigger: RunTrigger, user_id: int | None = None) -> ForecastRun:
    """Start and execute a run: the job boundary of `stockpile forecast run` and the nightly job."""
    with transaction():
        run_id = start_run(trigger, user_id).id
    return execute_run(run_id)


def execute_run(run_id: int, workers: int | None = None, progress: Progress | None = None,
                should_stop: ShouldStop | None = None) -> ForecastRun:
    """Fit every series of a started run and store the results; on any error record the run as failed.

    progress(done, total, phase) and should_stop() are the engine's callbacks (stockpile.forecast.engine); a stop
    raises FitCancelled before anything is written, and the run is recorded failed with that message.
    """
    try:
        with transaction():
            jobs = fitting.read_jobs(queries.get_run(run_id), progress)
        outcomes = fitting.fit_jobs(jobs, workers or configured_workers(), progress, should_stop)
        with transaction():
            store_results(queries.get_run(run_id), outcomes, progress)
    except Exception as exc:
        log.exception("forecast run %s failed", run_id)
        with transaction():
            run = queries.get_run(run_id)
            run.status, run.finished_at = RunStatus.FAILED, utcnow()
            run.error_summary = f"{type(exc).__name__}: {exc}"[:2000]
    return queries.get_run(run_id)


def configured_workers() -> int:
    """Worker processes: FORECAST_WORKERS, or one per core."""
    return int(current_app.config.get("FORECAST_WORKERS") or os.cpu_count() or 1)


def store_results(run: ForecastRun, outcomes: Iterable[SeriesOutcome], progress: Progress | None = None) -> None:
    """Write series, forecast points and flags, and mark the run succeeded (one transaction)."""
    outcomes = list(outcomes)
    fitting.write_series(run, outcomes, progress)
    national = {o.item_id: o for o in outcomes if o.region_id is None and not o.error}
    build_flags(run, national)
    run.series_count = len(outcomes)
    run.failed_series = sum(1 for o in outcomes if o.error)
    run.error_summary = "; ".join(f"item {o.item_id}: {o.error}" for o in outcomes if o.error)[:2000]
    run.status, run.finished_at = RunStatus.SUCCEEDED, utcnow()
    session().flush()


def build_flags(run: ForecastRun, national: dict[int, SeriesOutcome]) -> None:
    """Project each item's stock from its national forecast, flag it and compare with the previous run."""
    previous = queries.latest_run()
    before = {f.item_id: f.level for f in queries.flags_of(previous.id)} if previous else {}
    today = local_today()
    for item_id, outcome in national.items():
        item = session().get(Item, item_id)
        assert item is not None  # the series were read from the items table in this run
        offset = (today - outcome.first_day).days if outcome.first_day else 0
        data = _input(item, today, outcome, max(offset, 0))
        session().add(flag_row(run.id, item, data, before.get(item_id)))
    if previous is not None:
        _carry_forward(run, previous, set(national))


def _carry_forward(run: ForecastRun, previous: ForecastRun, fitted: set[int]) -> None:
    """An item whose national series failed this time keeps its previous flag: an alarm must not vanish."""
    for old in queries.flags_of(previous.id):
        if old.item_id in fitted:
            continue
        session().add(ScarcityFlag(
            run_id=run.id, item_id=old.item_id, level=old.level, change=FlagChange.UNCHANGED,
            previous_level=old.level, usable_stock=old.usable_stock, mean_daily_forecast=old.mean_daily_forecast,
            days_of_supply=old.days_of_supply, stockout_central=old.stockout_central,
            stockout_pessimistic=old.stockout_pessimistic, below_safety=old.below_safety,
            stockout_probability=old.stockout_probability, lead_time_days=old.lead_time_days,
            safety_stock_days=old.safety_stock_days,
        ))


def _input(item: Item, today: dt.date, outcome: SeriesOutcome, offset: int) -> ProjectionInput:
    return ProjectionInput(
        start=today, batches=queries.usable_batches(item.id, today),
        deliveries=queries.expected_deliveries(item.id, today),
        committed=committed_demand(item.id), yhat=list(outcome.yhat[offset:]),
        yhat_upper=list(outcome.yhat_upper[offset:]), lead_time_days=item.lead_time_days,
        safety_stock_days=item.safety_stock_days,
    )


def flag_row(run_id: int, item: Item, data: ProjectionInput, previous: FlagLevel | None) -> ScarcityFlag:
    """The stored outcome of one item's projection: its numbers, flag level and change."""
    projection = project_stock(data)
    level = level_for(projection, item.lead_time_days, item.safety_stock_days)
    return ScarcityFlag(
        run_id=run_id, item_id=item.id, level=level, change=compare(previous, level), previous_level=previous,
        usable_stock=projection.usable_now, mean_daily_forecast=projection.mean_daily_forecast,
        days_of_supply=projection.days_of_supply, stockout_central=projection.stockout_central,
        stockout_pessimistic=projection.stockout_pessimistic, below_safety=projection.below_safety,
        stockout_probability=projection.stockout_probability, lead_time_days=item.lead_time_days,
        safety_stock_days=item.safety_stock_days,
    )
