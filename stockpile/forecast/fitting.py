"""The fitting half of a run: read every demand series, fit them with the engine, write series and points.

The run lifecycle (`runner`) calls `read_jobs`, `fit_jobs` and `write_series` in turn; progress and stop callbacks
pass straight through to the engine (`stockpile.forecast.engine.pool`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from flask import current_app
from sqlalchemy import insert, select

from stockpile.db import local_today, session
from stockpile.forecast.demand import demand_history
from stockpile.forecast.engine.jobs import SeriesJob, SeriesOutcome
from stockpile.forecast.engine.pool import PHASE_READING, PHASE_WRITING, Progress, ShouldStop, fit_all
from stockpile.forecast.models import ForecastPoint, ForecastRun, ForecastSeries
from stockpile.reference.models import Item

ALL_ZERO_TAIL = 28  # an item never asked for still gets a (zero) forecast from four weeks of zeros


def read_jobs(run: ForecastRun, progress: Progress | None = None) -> list[SeriesJob]:
    """Every series of the active items, history through yesterday, leading zeros trimmed."""
    until = local_today() - dt.timedelta(days=1)
    since = until - dt.timedelta(days=int(current_app.config["FORECAST_HISTORY_DAYS"]) - 1)
    item_ids = list(session().scalars(select(Item.id).where(Item.active.is_(True)).order_by(Item.code)))
    if progress:
        progress(0, len(item_ids), PHASE_READING)
    run.history_start, run.history_end = since, until
    histories = demand_history(item_ids, since, until)
    return [_job(item_id, region_id, series, run.horizon_days)
            for (item_id, region_id), series in sorted(histories.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))]


def _job(item_id: int, region_id: int | None, series: pd.Series, horizon: int) -> SeriesJob:
    nonzero = series.to_numpy().nonzero()[0]
    first = int(nonzero[0]) if len(nonzero) else max(len(series) - ALL_ZERO_TAIL, 0)
    kept = series.iloc[first:]
    return SeriesJob(item_id, region_id, kept.index[0].date(), tuple(float(v) for v in kept), horizon)


def fit_jobs(jobs: Sequence[SeriesJob], workers: int, progress: Progress | None = None,
             should_stop: ShouldStop | None = None) -> list[SeriesOutcome]:
    """Fit every series with the engine; raises engine.pool.FitCancelled when should_stop() says so."""
    return fit_all(jobs, workers, progress, should_stop)


def write_series(run: ForecastRun, outcomes: Sequence[SeriesOutcome], progress: Progress | None = None) -> None:
    """Store each outcome as a series row of the run with its forecast points."""
    if progress:
        progress(0, len(outcomes), PHASE_WRITING)
    for outcome in outcomes:
        _write_one(run, outcome)
    if progress:
        progress(len(outcomes), len(outcomes), PHASE_WRITING)


def _write_one(run: ForecastRun, outcome: SeriesOutcome) -> None:
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
