"""Executing a forecast run: `fitting` reads every demand series, the engine fits them, `fitting` writes them; then
the flags the new forecasts make are recorded in the flag history.

The engine reports progress and checks for a cancel between batches (its callbacks, stockpile.forecast.engine);
the parent writes every result in one transaction. The run's life around this (queue, claim, heartbeat, cancel,
failure) is `runs.py`.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterable

from flask import current_app

from stockpile.db import session, transaction
from stockpile.forecast import fitting, flag_history, queries, runs
from stockpile.forecast.engine.jobs import SeriesOutcome
from stockpile.forecast.engine.pool import FitCancelled, Progress
from stockpile.forecast.models import ForecastRun, RunStatus, RunTrigger
from stockpile.forecast.outlook import outlooks


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
    report = monitor.progress.report
    with transaction():
        jobs = fitting.read_jobs(queries.get_run(run_id), report)
    read = time.perf_counter()
    try:
        outcomes = fitting.fit_jobs(jobs, workers, report, monitor.should_stop)
    except FitCancelled as stopped:
        raise runs.RunCancelled(str(stopped)) from stopped
    fitted = time.perf_counter()
    for outcome in outcomes:
        if outcome.error:
            monitor.progress.note(f"item {outcome.item_id} region {outcome.region_id}: {outcome.error}", "warning")
    with transaction():
        run = queries.get_run(run_id)
        if run.cancel_requested_at is not None:
            raise runs.RunCancelled("cancelled before its forecasts were written")
        store_results(run, outcomes, report)
        written = time.perf_counter()
        recorded = flag_history.record(outlooks(), f"run {run.id}", run.id)
        runs.add_log(run.id, f"selected anew: {_selected_anew(outcomes)}; seconds reading {read - began:.1f}, "
                             f"fitting {fitted - read:.1f}, writing {written - fitted:.1f}, "
                             f"flags {time.perf_counter() - written:.1f}")
        runs.add_log(run.id, f"succeeded: {run.series_count} series, {run.failed_series} failed, "
                             f"{len(recorded)} flag changes, {time.perf_counter() - began:.1f} s")


def _selected_anew(outcomes: list[SeriesOutcome]) -> str:
    """How many series were selected anew, and why (new, weekly, drift, changed)."""
    reasons = Counter(o.why for o in outcomes if o.selection is not None and not o.error)
    detail = ", ".join(f"{why} {count}" for why, count in sorted(reasons.items()))
    return f"{sum(reasons.values())} of {len(outcomes)}" + (f" ({detail})" if detail else "")


def configured_workers() -> int:
    """Worker processes: FORECAST_WORKERS, or one per core."""
    return int(current_app.config.get("FORECAST_WORKERS") or os.cpu_count() or 1)


def store_results(run: ForecastRun, outcomes: Iterable[SeriesOutcome], progress: Progress | None = None) -> None:
    """Write series and forecast points and mark the run succeeded (in the caller's transaction)."""
    outcomes = list(outcomes)
    fitting.write_series(run, outcomes, progress)
    run.series_count = len(outcomes)
    run.failed_series = sum(1 for o in outcomes if o.error)
    run.error_summary = "; ".join(f"item {o.item_id}: {o.error}" for o in outcomes if o.error)[:2000]
    runs.transition(run, RunStatus.SUCCEEDED, phase="done")
    session().flush()
