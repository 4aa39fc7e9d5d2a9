"""Validation and regularisation of demand histories (daily, weekly, monthly)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

# Season length per supported base frequency: one week of days, one year of
# weeks, one year of months.
_SEASON_DAILY = 7
_SEASON_WEEKLY = 52
_SEASON_MONTHLY = 12

_DAY_NS = 86_400 * 10**9
_WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


def check_horizon(horizon: int) -> None:
    """Raise ValueError unless horizon is an integer >= 1."""
    is_int = isinstance(horizon, (int, np.integer)) and not isinstance(horizon, bool)
    if not is_int:
        raise ValueError(f"horizon must be an integer, got {type(horizon).__name__}")
    if horizon < 1:
        raise ValueError(f"horizon must be >= 1, got {horizon}")


def regularize(history: pd.Series) -> tuple[pd.Series, str]:
    """Validate history and return it on a gap-free regular grid plus its frequency.

    Periods missing from an otherwise regular daily/weekly/monthly index are
    inserted with value 0: for demand data a period without a recorded issue
    means nothing was issued.
    """
    _check_basic(history)
    series = history.sort_index().astype(float)
    freq = infer_frequency(series.index)
    season_length(freq)  # rejects unsupported frequencies early
    grid = pd.date_range(series.index[0], series.index[-1], freq=freq)
    if not series.index.isin(grid).all():
        raise ValueError(f"history dates do not lie on a regular {freq!r} grid")
    return series.reindex(grid, fill_value=0.0), freq


def _check_basic(history: pd.Series) -> None:
    """Raise ValueError for inputs no model can use."""
    is_series = isinstance(history, pd.Series)
    if not is_series:
        raise ValueError("history must be a pandas Series")
    if len(history) == 0:
        raise ValueError("history is empty")
    has_dates = isinstance(history.index, pd.DatetimeIndex)
    if not has_dates:
        raise ValueError("history must have a DatetimeIndex")
    if history.index.tz is not None:
        raise ValueError("history index must be timezone-naive")
    if history.index.has_duplicates:
        raise ValueError("history index has duplicate dates")
    try:
        values = history.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError("history values must be numeric") from exc
    if not np.isfinite(values).all():
        raise ValueError("history contains non-finite values (NaN or inf)")


def infer_frequency(index: pd.DatetimeIndex) -> str:
    """Return the index frequency: its own, pd.infer_freq's, or one read from the gaps."""
    if index.freq is not None:
        return str(index.freqstr)
    if len(index) >= 3:
        inferred = pd.infer_freq(index)
        if inferred is not None:
            return str(inferred)
    return _frequency_from_gaps(index)


def _frequency_from_gaps(index: pd.DatetimeIndex) -> str:
    """Guess D / W-xxx / MS / ME from the smallest gap when infer_freq fails (gaps)."""
    if len(index) < 2:
        raise ValueError("cannot infer frequency from a single observation; set index.freq")
    if not (index == index.normalize()).all():
        raise ValueError("cannot infer frequency: dates carry a time of day")
    gaps = np.diff(index.asi8) // _DAY_NS
    smallest = int(gaps.min())
    if smallest == 1:
        return "D"
    if smallest == 7 and (gaps % 7 == 0).all():
        return f"W-{_WEEKDAYS[index[0].weekday()]}"
    if 28 <= smallest <= 31:
        if index.is_month_start.all():
            return "MS"
        if index.is_month_end.all():
            return "ME"
    raise ValueError("cannot infer a daily, weekly or monthly frequency from the index")


def season_length(freq: str) -> int:
    """Return the season length for a supported frequency, else raise ValueError."""
    offset = to_offset(freq)
    if getattr(offset, "n", 0) == 1:
        if isinstance(offset, pd.offsets.Day):
            return _SEASON_DAILY
        if isinstance(offset, pd.offsets.Week) and offset.weekday is not None:
            return _SEASON_WEEKLY
        if isinstance(offset, (pd.offsets.MonthBegin, pd.offsets.MonthEnd)):
            return _SEASON_MONTHLY
    raise ValueError(f"unsupported frequency {freq!r}: use daily, weekly or monthly data")


def future_index(last: pd.Timestamp, horizon: int, freq: str) -> pd.DatetimeIndex:
    """Return the `horizon` dates following `last` at frequency `freq`."""
    return pd.date_range(last, periods=horizon + 1, freq=freq)[1:]
