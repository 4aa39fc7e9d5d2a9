"""The fitting half of a run: read every demand series with its selection in force, fit them with the engine, write
series, points and new selections in bulk.

The run lifecycle (`runner`) calls `read_jobs`, `fit_jobs` and `write_series` in turn; progress and stop callbacks
pass straight through to the engine (`stockpile.forecast.engine.pool`). A series is selected anew (the costly
backtest) when it is new or its selection is older than FORECAST_SELECTION_MAX_AGE_DAYS; the engine also does so
when its recent error drifted. Every other series is refitted with the method chosen before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd
from flask import current_app
from sqlalchemy import func, insert, select

from stockpile.db import local_today, session, utcnow
from stockpile.forecast.demand import SeriesKey, demand_history
from stockpile.forecast.engine.calibration import Calibration
from stockpile.forecast.engine.jobs import SeriesJob, SeriesOutcome
from stockpile.forecast.engine.pool import PHASE_READING, PHASE_WRITING, Progress, ShouldStop, fit_all
from stockpile.forecast.engine.selection import Selection
from stockpile.forecast.models import ForecastPoint, ForecastRun, ForecastSelection, ForecastSeries
from stockpile.reference.models import Item

ALL_ZERO_TAIL = 28  # an item never asked for still gets a (zero) forecast from four weeks of zeros


def read_jobs(run: ForecastRun, progress: Progress | None = None) -> list[SeriesJob]:
    """Every series of the active items, history through yesterday, leading zeros trimmed, with its selection."""
    until = local_today() - dt.timedelta(days=1)
    since = until - dt.timedelta(days=int(current_app.config["FORECAST_HISTORY_DAYS"]) - 1)
    item_ids = list(session().scalars(select(Item.id).where(Item.active.is_(True)).order_by(Item.code)))
    if progress:
        progress(0, len(item_ids), PHASE_READING)
    run.history_start, run.history_end = since, until
    histories = demand_history(item_ids, since, until)
    chosen = selections_in_force(item_ids)
    oldest = utcnow() - dt.timedelta(days=float(current_app.config["FORECAST_SELECTION_MAX_AGE_DAYS"]))
    return [_job(key, series, run.horizon_days, chosen.get(key), oldest)
            for key, series in sorted(histories.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))]


def _job(key: SeriesKey, series: pd.Series, horizon: int, chosen: ForecastSelection | None,
         oldest: dt.datetime) -> SeriesJob:
    nonzero = series.to_numpy().nonzero()[0]
    first = int(nonzero[0]) if len(nonzero) else max(len(series) - ALL_ZERO_TAIL, 0)
    kept = series.iloc[first:]
    values = tuple(float(v) for v in kept)
    if chosen is None:
        return SeriesJob(key[0], key[1], kept.index[0].date(), values, horizon, None, "new")
    if chosen.chosen_at < oldest:
        return SeriesJob(key[0], key[1], kept.index[0].date(), values, horizon, None, "weekly")
    return SeriesJob(key[0], key[1], kept.index[0].date(), values, horizon, as_selection(chosen))


def selections_in_force(item_ids: Sequence[int]) -> dict[SeriesKey, ForecastSelection]:
    """The newest selection of every series of these items."""
    newest = (select(func.max(ForecastSelection.id)).where(ForecastSelection.item_id.in_(item_ids))
              .group_by(ForecastSelection.item_id, ForecastSelection.region_id))
    rows = session().scalars(select(ForecastSelection).where(ForecastSelection.id.in_(newest)))
    return {(row.item_id, row.region_id): row for row in rows}


def as_selection(row: ForecastSelection) -> Selection:
    """A stored selection as the engine's plain data."""
    calibration = None
    if None not in (row.daily_low, row.daily_high, row.cum_power, row.cum_low, row.cum_high):
        calibration = Calibration(float(row.daily_low or 0), float(row.daily_high or 0), float(row.cum_power or 0),
                                  float(row.cum_low or 0), float(row.cum_high or 0))
    return Selection(row.method, row.params, row.mase, row.seasonal_naive_mase, calibration)


def fit_jobs(jobs: Sequence[SeriesJob], workers: int, progress: Progress | None = None,
             should_stop: ShouldStop | None = None) -> list[SeriesOutcome]:
    """Fit every series with the engine, on the Dask cluster of DASK_SCHEDULER when one is set, else in `workers`
    local processes; raises engine.pool.FitCancelled when should_stop() says so."""
    return fit_all(jobs, workers, progress, should_stop, current_app.config.get("DASK_SCHEDULER") or None)


def write_series(run: ForecastRun, outcomes: Sequence[SeriesOutcome], progress: Progress | None = None) -> None:
    """Store the run's series, their forecast points and the new selections: one bulk insert per table."""
    if progress:
        progress(0, len(outcomes), PHASE_WRITING)
    if outcomes:
        ids = session().scalars(
            insert(ForecastSeries).returning(ForecastSeries.id, sort_by_parameter_order=True),
            [_series_row(run, o) for o in outcomes]).all()
        points = [row for series_id, o in zip(ids, outcomes, strict=True) for row in _point_rows(series_id, o)]
        if points:
            session().execute(insert(ForecastPoint), points)
        chosen = [_selection_row(run, o) for o in outcomes if o.selection is not None and not o.error]
        if chosen:
            session().execute(insert(ForecastSelection), chosen)
    if progress:
        progress(len(outcomes), len(outcomes), PHASE_WRITING)


def _series_row(run: ForecastRun, o: SeriesOutcome) -> dict[str, object]:
    return {"run_id": run.id, "item_id": o.item_id, "region_id": o.region_id, "method": o.method, "mase": o.mase,
            "error": o.error[:2000], "seasonal_naive_mase": o.seasonal_naive_mase, "seconds": o.seconds}


def _point_rows(series_id: int, o: SeriesOutcome) -> list[dict[str, object]]:
    if o.first_day is None or not o.yhat:
        return []
    cum_lower = o.cum_lower or (None,) * len(o.yhat)
    cum_upper = o.cum_upper or (None,) * len(o.yhat)
    return [{"series_id": series_id, "day": o.first_day + dt.timedelta(days=i), "yhat": y, "yhat_lower": lo,
             "yhat_upper": up, "cum_lower": cl, "cum_upper": cu}
            for i, (y, lo, up, cl, cu) in enumerate(zip(o.yhat, o.yhat_lower, o.yhat_upper, cum_lower, cum_upper,
                                                        strict=True))]


def _selection_row(run: ForecastRun, o: SeriesOutcome) -> dict[str, object]:
    chosen = o.selection
    assert chosen is not None
    cal = chosen.calibration
    return {"item_id": o.item_id, "region_id": o.region_id, "run_id": run.id, "chosen_at": utcnow(),
            "history_end": run.history_end or local_today(), "method": chosen.method, "params": chosen.params,
            "mase": chosen.mase, "seasonal_naive_mase": chosen.seasonal_naive_mase, "why": o.why,
            "daily_low": cal.daily_low if cal else None, "daily_high": cal.daily_high if cal else None,
            "cum_power": cal.cum_power if cal else None, "cum_low": cal.cum_low if cal else None,
            "cum_high": cal.cum_high if cal else None}
