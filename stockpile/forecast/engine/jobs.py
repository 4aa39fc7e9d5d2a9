"""A series to fit and what came of it, as plain picklable data; a batch of them is fitted by `bulk.fit_batch`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stockpile.forecast.engine.selection import Selection


@dataclass(frozen=True)
class SeriesJob:
    """One series to fit: plain data, so it pickles cheaply to a worker process.

    `selection` is the series' selection in force, refitted as it is unless its recent error drifted; None asks
    for a new selection, `why` says why (new, weekly).
    """

    item_id: int
    region_id: int | None
    start: dt.date
    values: tuple[float, ...]
    horizon: int
    selection: Selection | None = None
    why: str = ""


@dataclass(frozen=True)
class SeriesOutcome:
    """A fitted series (or its error) as plain data for the parent to store.

    `selection` is set when the series was selected anew in this run (`why`: new, weekly, drift), for the parent to
    store; cum_lower/cum_upper are the calibrated 80 % band of cumulative demand (empty without a backtest).
    """

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
    cum_lower: tuple[float, ...] = ()
    cum_upper: tuple[float, ...] = ()
    params: str = ""
    selection: Selection | None = None
    why: str = ""
