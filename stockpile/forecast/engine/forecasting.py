"""Demand forecasting of one series: choose a method by backtest (or take the one chosen before), fit, calibrate.

No database and no Flask here: callers pass a pandas Series and get a frame. A run fits many series at once with
`bulk.fit_batch`, which uses the same selection, methods and calibration.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from stockpile.forecast.engine import prophet_model
from stockpile.forecast.engine.calibration import bands, recent_spread
from stockpile.forecast.engine.candidates import FloatArray, Prediction
from stockpile.forecast.engine.selection import (
    DEFAULT_FOLDS,
    MAX_BACKTEST_STEPS,
    Selection,
    is_stopped,
    predict,
    run_backtest,
    select,
)
from stockpile.forecast.engine.series import check_horizon, future_index, regularize, season_length

__all__ = ["COLUMNS", "backtest", "fit_one_default", "fit_one_tuned", "forecast", "is_stopped"]

COLUMNS = ["yhat", "yhat_lower", "yhat_upper", "cum_lower", "cum_upper", "method"]


def forecast(history: pd.Series, horizon: int, selection: Selection | None = None) -> pd.DataFrame:
    """Forecast `horizon` periods after `history`, with the given selection or the best backtested method.

    Returns columns yhat, yhat_lower, yhat_upper (80% interval, clipped at 0), cum_lower, cum_upper (the 80 % band
    of cumulative demand from the first forecast day; NaN without a backtest to calibrate it) and method. Gaps in the
    index are filled with zero demand. Backtest MASE scores are left in ``result.attrs["mase"]``, the selection in
    ``result.attrs["selection"]``.
    """
    check_horizon(horizon)
    series, freq = regularize(history)
    chosen = selection or select(series, freq, horizon)
    pred = predict(chosen.method, chosen.params, series, horizon, freq, intervals=chosen.calibration is None)
    index = future_index(series.index[-1], horizon, freq)
    frame = _frame(index, pred, chosen, series.to_numpy(dtype=float), season_length(freq))
    frame.attrs["mase"] = dict(chosen.scores)
    frame.attrs["selection"] = chosen
    return frame


def backtest(history: pd.Series, horizon: int, folds: int = DEFAULT_FOLDS) -> dict[str, float]:
    """Return the rolling-origin MASE of every candidate method for this history."""
    check_horizon(horizon)
    if folds < 1:
        raise ValueError(f"folds must be >= 1, got {folds}")
    series, freq = regularize(history)
    return run_backtest(series, freq, horizon, folds).scores


def fit_one_default(history: pd.Series, horizon: int,
                    algorithm: str | None = None) -> pd.DataFrame:
    """Run Prophet with its defaults once; for speed benchmarks only."""
    check_horizon(horizon)
    series, freq = regularize(history)
    return prophet_model.fit_one_default(series, horizon, freq, algorithm)


def fit_one_tuned(history: pd.Series, horizon: int) -> pd.DataFrame:
    """Run the tuned Prophet once (no backtest); for speed benchmarks only."""
    check_horizon(horizon)
    series, freq = regularize(history)
    return prophet_model.fit_one_tuned(series, horizon, freq)


def _frame(index: pd.DatetimeIndex, pred: Prediction, chosen: Selection, y: FloatArray,
           season: int) -> pd.DataFrame:
    """Clip at zero, add calibrated (or fallback) intervals, enforce lower <= yhat <= upper."""
    mean = np.clip(pred.mean, 0.0, None)
    cum_lower = cum_upper = np.full(len(mean), np.nan)
    if chosen.calibration is not None:
        band = bands(mean, chosen.calibration, MAX_BACKTEST_STEPS)
        lower, upper, cum_lower, cum_upper = band.lower, band.upper, band.cum_lower, band.cum_upper
    elif pred.lower is not None and pred.upper is not None:
        lower = np.clip(np.minimum(pred.lower, mean), 0.0, None)
        upper = np.maximum(np.clip(pred.upper, 0.0, None), mean)
    else:
        lower, upper = recent_spread(mean, y, season, chosen.method)
    frame = pd.DataFrame({"yhat": mean, "yhat_lower": lower, "yhat_upper": upper, "cum_lower": cum_lower,
                          "cum_upper": cum_upper, "method": chosen.method}, index=index)
    return frame.astype(dict.fromkeys(COLUMNS[:-1], float))[COLUMNS]
