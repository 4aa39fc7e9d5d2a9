"""Demand forecasting: backtest Prophet against simple models, ship the best one.

No database and no Flask here: callers pass a pandas Series and get a frame.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from stockpile.forecast.engine import prophet_model
from stockpile.forecast.engine.candidates import ARRAY_MODELS, FloatArray, Prediction
from stockpile.forecast.engine.series import (
    check_horizon,
    future_index,
    regularize,
    season_length,
)

log = logging.getLogger(__name__)

COLUMNS = ["yhat", "yhat_lower", "yhat_upper", "method"]
DEFAULT_FOLDS = 3
# Share of zero periods above which demand counts as intermittent.
INTERMITTENT_ZERO_SHARE = 0.3
# Prophet's Gaussian likelihood is a poor fit for mostly-zero counts and it is
# the slow candidate, so it is not even tried above this share.
PROPHET_MAX_ZERO_SHARE = 0.5
# Backtest windows never exceed this many steps on daily data (4 weeks):
# long enough to expose a runaway trend, short enough to keep folds recent.
MAX_BACKTEST_STEPS = 28
# Simplest first: on equal scores the simpler, more predictable model wins.
METHOD_ORDER = ("naive", "seasonal_naive", "ets", "tsb", "croston", "prophet")
NAIVE_METHODS = frozenset({"naive", "seasonal_naive"})
INTERVAL_QUANTILES = (0.10, 0.90)  # the 80% interval


@dataclass
class BacktestResult:
    """MASE per method plus pooled out-of-sample errors (actual - forecast)."""

    scores: dict[str, float] = field(default_factory=dict)
    errors: dict[str, FloatArray] = field(default_factory=dict)


@dataclass(frozen=True)
class _Plan:
    """Where the rolling-origin folds start and how many steps each one scores."""

    step: int
    cutoffs: tuple[int, ...]
    min_train: int


def forecast(history: pd.Series, horizon: int) -> pd.DataFrame:
    """Forecast `horizon` periods after `history` with the best backtested method.

    Returns columns yhat, yhat_lower, yhat_upper (80% interval, clipped at 0)
    and method. Gaps in the index are filled with zero demand. Backtest MASE
    scores are left in ``result.attrs["mase"]``.
    """
    check_horizon(horizon)
    series, freq = regularize(history)
    season = season_length(freq)
    y = series.to_numpy(dtype=float)
    index = future_index(series.index[-1], horizon, freq)
    special = _special_case(y, season)
    if special is not None:
        method, level = special
        flat = np.full(horizon, level)
        return _frame(index, Prediction(flat, flat, flat), method, {})
    result = run_backtest(series, freq, horizon, DEFAULT_FOLDS)
    method = _choose(result.scores, y)
    pred = _predict(method, series, horizon, freq, season, intervals=True)
    pred = _ensure_intervals(pred, result.errors.get(method), y, season)
    return _frame(index, pred, method, result.scores)


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


def run_backtest(series: pd.Series, freq: str, horizon: int, folds: int) -> BacktestResult:
    """Score every candidate on rolling-origin folds of a regular series."""
    season = season_length(freq)
    y = series.to_numpy(dtype=float)
    plan = _plan(len(y), horizon, season, folds)
    result = BacktestResult()
    if not plan.cutoffs:
        return result
    for method in candidate_methods(y, season, plan.min_train):
        scored = _score_method(method, series, freq, season, plan)
        if scored is not None:
            result.scores[method], result.errors[method] = scored
    return result


def candidate_methods(y: FloatArray, season: int, min_train: int) -> list[str]:
    """Return the methods worth backtesting given length and intermittency."""
    zero_share = float(np.mean(y == 0))
    methods = ["naive", "ets"]
    if min_train >= season:
        methods.append("seasonal_naive")
    if zero_share > INTERMITTENT_ZERO_SHARE:
        methods += ["tsb", "croston"]
    # Prophet only where every fold has two seasons (and 4 weeks for daily
    # data) to learn from; on shorter series it mostly fits noise, slowly.
    if min_train >= prophet_min_length(season) and zero_share <= PROPHET_MAX_ZERO_SHARE:
        methods.append("prophet")
    return sorted(methods, key=METHOD_ORDER.index)


def _plan(n: int, horizon: int, season: int, folds: int) -> _Plan:
    """Place up to `folds` back-to-back test windows at the end of the history.

    Prefers leaving two seasons of training before the first fold (so seasonal
    models and Prophet can compete), then one season, then half the series.
    """
    desired = min(horizon, max(season, MAX_BACKTEST_STEPS))
    min_step = max(1, min(desired, season) // 2)
    for min_train in (prophet_min_length(season), season + 1):
        available = n - min_train
        if available >= folds * min_step:
            return _windows(n, folds, min(desired, available // folds))
    # Very short series: simple methods only, fewer and shorter folds.
    available = n - max(3, n // 2)
    if available < 1:
        return _Plan(0, (), n)
    folds = min(folds, available)
    return _windows(n, folds, min(desired, available // folds))


def _windows(n: int, folds: int, step: int) -> _Plan:
    """Return a plan of `folds` windows of `step` points ending at n."""
    cutoffs = tuple(n - step * k for k in range(folds, 0, -1))
    return _Plan(step, cutoffs, cutoffs[0])


def prophet_min_length(season: int) -> int:
    """Training length Prophet needs: two seasons, and four weeks for daily data."""
    return max(2 * season, 28) if season == 7 else 2 * season


def _score_method(method: str, series: pd.Series, freq: str, season: int,
                  plan: _Plan) -> tuple[float, FloatArray] | None:
    """Return (mean MASE over folds, pooled errors), or None if the model fails."""
    y = series.to_numpy(dtype=float)
    scores: list[float] = []
    errors: list[FloatArray] = []
    for cut in plan.cutoffs:
        actual = y[cut:cut + plan.step]
        try:
            pred = _predict(method, series.iloc[:cut], plan.step, freq, season, False)
        except Exception as exc:
            log.debug("candidate %s failed: %s", method, exc)
            return None
        shipped = np.clip(pred.mean, 0.0, None)  # score what would be shipped
        scores.append(float(np.mean(np.abs(actual - shipped))) / mase_scale(y[:cut], season))
        errors.append(actual - shipped)
    if not all(math.isfinite(s) for s in scores):
        return None
    return float(np.mean(scores)), np.concatenate(errors)


def mase_scale(train: FloatArray, season: int) -> float:
    """In-sample seasonal-naive MAE (lag 1 if needed), the MASE denominator."""
    for lag in (season, 1):
        if len(train) > lag:
            scale = float(np.mean(np.abs(train[lag:] - train[:-lag])))
            if scale > 0:
                return scale
    # Flat training data: fall back to its mean level so scores stay finite.
    level = float(np.mean(np.abs(train)))
    return level if level > 0 else 1.0


def _choose(scores: dict[str, float], y: FloatArray) -> str:
    """Pick the lowest MASE among eligible methods; without a backtest use a rule."""
    intermittent = float(np.mean(y == 0)) > INTERMITTENT_ZERO_SHARE
    # On intermittent demand the MAE-optimal forecast is the median, i.e. 0, so
    # naive methods that echo a zero would "win" and leave the shelves empty;
    # they stay in the scores only as baselines.
    eligible = {m: v for m, v in scores.items()
                if not (intermittent and m in NAIVE_METHODS)}
    if eligible:
        return min(eligible, key=lambda m: (eligible[m], METHOD_ORDER.index(m)))
    return "tsb" if intermittent else "naive"


def _predict(method: str, series: pd.Series, h: int, freq: str, season: int,
             intervals: bool) -> Prediction:
    """Fit `method` on series and predict h steps."""
    if method == "prophet":
        return prophet_model.prophet_predict(series, h, freq, intervals)
    return ARRAY_MODELS[method](series.to_numpy(dtype=float), h, season, intervals)


def _special_case(y: FloatArray, season: int) -> tuple[str, float] | None:
    """Return (method, level) for all-zero, constant or stopped demand."""
    if not np.any(y):
        return "zero", 0.0
    if float(np.ptp(y)) == 0.0:
        return "naive", float(y[-1])
    if is_stopped(y, season):
        return "zero", 0.0
    return None


def is_stopped(y: FloatArray, season: int) -> bool:
    """True when the trailing run of zeros is longer than a season and 3 usual gaps.

    Caveat: an item that only sells in one part of the year and has been idle
    for more than a full season is treated as stopped too.
    """
    nonzero = np.flatnonzero(y)
    if len(nonzero) == 0:
        return False
    tail = len(y) - 1 - int(nonzero[-1])
    mean_gap = (int(nonzero[-1]) - int(nonzero[0]) + 1) / len(nonzero)
    return tail >= max(season + 1, math.ceil(3 * mean_gap))


def _ensure_intervals(pred: Prediction, errors: FloatArray | None, y: FloatArray,
                      season: int) -> Prediction:
    """Add empirical 80% bounds from backtest errors when the model has none."""
    if pred.lower is not None and pred.upper is not None:
        return pred
    if errors is None or len(errors) < 10:
        # Too few out-of-sample errors: use the spread of recent demand instead.
        recent = y[-max(4 * season, 28):]
        errors = recent - recent.mean()
    low, high = np.quantile(errors, INTERVAL_QUANTILES)
    return Prediction(pred.mean, pred.mean + min(float(low), 0.0),
                      pred.mean + max(float(high), 0.0))


def _frame(index: pd.DatetimeIndex, pred: Prediction, method: str,
           scores: dict[str, float]) -> pd.DataFrame:
    """Clip at zero, enforce lower <= yhat <= upper and build the result frame."""
    mean = np.clip(pred.mean, 0.0, None)
    lower = mean if pred.lower is None else np.clip(np.minimum(pred.lower, mean), 0.0, None)
    upper = mean if pred.upper is None else np.maximum(np.clip(pred.upper, 0.0, None), mean)
    frame = pd.DataFrame({"yhat": mean, "yhat_lower": lower, "yhat_upper": upper,
                          "method": method}, index=index)
    frame = frame.astype({"yhat": float, "yhat_lower": float, "yhat_upper": float})
    frame.attrs["mase"] = dict(scores)
    return frame[COLUMNS]
