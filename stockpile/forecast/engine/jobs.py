"""A series to fit and what came of it, as plain picklable data, and the fit of one series or one batch."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from stockpile.forecast.engine import forecasting


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
        frame = forecasting.forecast(history, job.horizon)
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


def fit_batch(jobs: Sequence[SeriesJob]) -> list[SeriesOutcome]:
    """Fit a batch of series in order: the unit of work a worker process receives."""
    return [fit_series(job) for job in jobs]
