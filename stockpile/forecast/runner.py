"""Executing a forecast run: read every demand series, fit them in parallel, store the forecasts at once, and
record the flags they make.

Series are fitted in worker processes (one failing series is recorded, never fatal), reporting progress and checking
for a cancel between series; the parent writes every result in one transaction. The run's life around this
(queue, claim, heartbeat, cancel, failure) is `runs.py`.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import pandas as pd
from flask import current_app
from sqlalchemy import insert, select

from stockpile.db import local_today, session, transaction
from stockpile.forecast import engine, flag_history, queries, runs
from stockpile.forecast.demand import demand_history
from stockpile.forecast.models import ForecastPoint, ForecastRun, ForecastSeries, RunStatus, RunTrigger
from stockpile.forecast.outlook import outlooks
from stockpile.reference.models import Item

Progress = Callable[[int, int, str], None]
log = logging.getLogger(__name__)
ALL_ZERO_TAIL = 28  # an item never asked for still gets a (zero) forecast from four weeks of zeros


@dataclass(frozen=True)
class SeriesJob:
    """One series to fit: plain data, so it pickles cheaply to a worker process."""

    item_id: int
    region_id: int | None
    start: dt.date
    values: tuple[float, ...]
    horizon: int


@dataclass(frozen=True)
class SeriesOutcome:
    """A fitted series (or its error) as plain data for the parent to store."""

    item_id: int
    region_id: int | None
    method: str
    mase: float | None
    seasonal_naive_mase: float | None
    error: str
    seconds: float
    first_day: dt.date | None
    yhat: tuple[float, ...] = ()
    yhat_lower: tuple[float, ...] = ()
    yhat_upper: tuple[float, ...] = ()


def fit_series(job: SeriesJob) -> SeriesOutcome:
    """Forecast one series; any error is returned as text so one bad series never stops the run."""
    began = time.perf_counter()
    try:
        history = pd.Series(job.values, index=pd.date_range(job.start, periods=len(job.values), freq="D"))
        frame = engine.forecast(history, job.horizon)
    except Exception as exc:  # the error is the result: stored and shown per series
        return SeriesOutcome(job.item_id, job.region_id, "", None, None, f"{type(exc).__name__}: {exc}",
                             time.perf_counter() - began, None)
    method = str(frame["method"].iloc[0])
    scores: dict[str, float] = frame.attrs.get("mase", {})
    return SeriesOutcome(
        job.item_id, job.region_id, method, scores.get(method), scores.get("seasonal_naive"), "",
        time.perf_counter() - began, frame.index[0].date(), tuple(frame["yhat"]), tuple(frame["yhat_lower"]),
        tuple(frame["yhat_upper"]),
    )


def run_forecast(trigger: RunTrigger, user_id: int | None = None, workers: int | None = None) -> ForecastRun:
    """Queue a run and execute it in this process at once: `stockpile forecast run` and tests."""
    with transaction():
        run_id = runs.queue_run(trigger, user_id).id
    with transaction():
        claimed = runs.claim_next(runs.executor_name())
    if claimed != run_id:  # another process's scheduler took it first: it executes it
        return queries.get_run(run_id)
    return execute_run(run_id, workers)


def execute_queued(workers: int | None = None) -> str:
    """The scheduler's queue job: mark dead runs failed, then execute the oldest queued run here, if any."""
    with transaction():
        reaped = runs.reap_dead_runs()
        run_id = runs.claim_next(runs.executor_name())
    dead = f"; marked dead: {reaped}" if reaped else ""
    if run_id is None:
        return f"no queued forecast run{dead}"
    run = execute_run(run_id, workers)
    return f"forecast run {run.id} {run.status.value}{dead}"


def execute_run(run_id: int, workers: int | None = None) -> ForecastRun:
    """Execute a claimed run under its monitor (heartbeat, progress, cancel); runs.py records how it ended."""
    return runs.execute(run_id, lambda claimed, monitor: _fit_and_store(claimed, monitor, workers or
                                                                         configured_workers()))


def _fit_and_store(run_id: int, monitor: runs.Monitor, workers: int) -> None:
    began = time.perf_counter()
    monitor.progress.report(0, 0, "reading")
    with transaction():
        jobs = read_jobs(queries.get_run(run_id))
    monitor.progress.report(0, len(jobs), "fitting")
    outcomes = fit_all(jobs, workers, monitor.progress.report, monitor.should_stop)
    for outcome in outcomes:
        if outcome.error:
            monitor.progress.note(f"item {outcome.item_id} region {outcome.region_id}: {outcome.error}", "warning")
    monitor.progress.report(len(jobs), len(jobs), "writing")
    with transaction():
        run = queries.get_run(run_id)
        session().refresh(run)
        if run.cancel_requested_at is not None:
            raise runs.RunCancelled
        store_results(run, outcomes)
        recorded = flag_history.record(outlooks(), f"run {run.id}", run.id)
        runs.add_log(run.id, f"succeeded: {run.series_count} series, {run.failed_series} failed, "
                             f"{len(recorded)} flag changes, {time.perf_counter() - began:.1f} s")


def configured_workers() -> int:
    """Worker processes: FORECAST_WORKERS, or one per core."""
    return int(current_app.config.get("FORECAST_WORKERS") or os.cpu_count() or 1)


def read_jobs(run: ForecastRun) -> list[SeriesJob]:
    """Every series of the active items, history through yesterday, leading zeros trimmed."""
    until = local_today() - dt.timedelta(days=1)
    since = until - dt.timedelta(days=int(current_app.config["FORECAST_HISTORY_DAYS"]) - 1)
    item_ids = list(session().scalars(select(Item.id).where(Item.active.is_(True)).order_by(Item.code)))
    run.history_start, run.history_end = since, until
    histories = demand_history(item_ids, since, until)
    return [_job(item_id, region_id, series, run.horizon_days)
            for (item_id, region_id), series in sorted(histories.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))]


def _job(item_id: int, region_id: int | None, series: pd.Series, horizon: int) -> SeriesJob:
    nonzero = series.to_numpy().nonzero()[0]
    first = int(nonzero[0]) if len(nonzero) else max(len(series) - ALL_ZERO_TAIL, 0)
    kept = series.iloc[first:]
    return SeriesJob(item_id, region_id, kept.index[0].date(), tuple(float(v) for v in kept), horizon)


def fit_all(jobs: list[SeriesJob], workers: int, progress: Progress | None = None,
            should_stop: Callable[[], bool] | None = None) -> list[SeriesOutcome]:
    """Fit every series, in worker processes when there is more than one worker and one series.

    `progress(done, total, "fitting")` is called as series finish; when `should_stop()` turns true, the remaining
    series are dropped and RunCancelled is raised.
    """
    report = progress or (lambda done, total, phase: None)
    stop = should_stop or (lambda: False)
    outcomes: list[SeriesOutcome] = []
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            _check(stop)
            outcomes.append(fit_series(job))
            report(len(outcomes), len(jobs), "fitting")
        return outcomes
    # spawn, not fork: the scheduler runs jobs in threads, and forking a threaded process can deadlock.
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for outcome in pool.map(fit_series, jobs, chunksize=max(1, min(8, len(jobs) // (workers * 4)))):
            outcomes.append(outcome)
            report(len(outcomes), len(jobs), "fitting")
            if stop():
                pool.shutdown(wait=False, cancel_futures=True)
                raise runs.RunCancelled
    return outcomes


def _check(stop: Callable[[], bool]) -> None:
    if stop():
        raise runs.RunCancelled


def store_results(run: ForecastRun, outcomes: Iterable[SeriesOutcome]) -> None:
    """Write series, forecast points and flags, and mark the run succeeded (one transaction)."""
    outcomes = list(outcomes)
    for outcome in outcomes:
        _store_series(run, outcome)
    run.series_count = len(outcomes)
    run.failed_series = sum(1 for o in outcomes if o.error)
    run.error_summary = "; ".join(f"item {o.item_id}: {o.error}" for o in outcomes if o.error)[:2000]
    runs.transition(run, RunStatus.SUCCEEDED, phase="done")


def _store_series(run: ForecastRun, outcome: SeriesOutcome) -> None:
    series = ForecastSeries(run_id=run.id, item_id=outcome.item_id, region_id=outcome.region_id,
                            method=outcome.method, mase=outcome.mase, error=outcome.error[:2000],
                            seasonal_naive_mase=outcome.seasonal_naive_mase, seconds=outcome.seconds)
    session().add(series)
    session().flush()
    if outcome.first_day is None or not outcome.yhat:
        return
    rows = [{"series_id": series.id, "day": outcome.first_day + dt.timedelta(days=i), "yhat": y,
             "yhat_lower": lo, "yhat_upper": up}
            for i, (y, lo, up) in enumerate(zip(outcome.yhat, outcome.yhat_lower, outcome.yhat_upper, strict=True))]
    session().execute(insert(ForecastPoint), rows)
