"""Selection: the rolling-origin backtest that chooses a series' method, apart from the fit that uses it.

The backtest is most of a forecast's cost (every candidate on three folds), so it runs when a series is new, weekly,
or when its recent error drifted; the nightly run refits only the chosen method with the parameters chosen with it
(`Selection`, stored per series by stockpile.forecast.fitting). Never worse than naive: when no candidate beats
seasonal naive on the backtest, seasonal naive is chosen, or zero for a series that has stopped.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from stockpile.forecast.engine import prophet_model
from stockpile.forecast.engine.calibration import Calibration, calibrate
from stockpile.forecast.engine.candidates import ARRAY_MODELS, FloatArray, Prediction, ets, ets_components
from stockpile.forecast.engine.series import season_length

log = logging.getLogger(__name__)

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
METHOD_ORDER = ("zero", "naive", "seasonal_naive", "ets", "tsb", "croston", "prophet")
BASELINES = frozenset({"zero", "naive", "seasonal_naive"})


@dataclass(frozen=True)
class Selection:
    """A series' chosen method, what its refit needs (params), its backtest errors and its calibration."""

    method: str
    params: str = ""
    mase: float | None = None
    seasonal_naive_mase: float | None = None
    calibration: Calibration | None = None
    scores: dict[str, float] = field(default_factory=dict, compare=False)


@dataclass
class BacktestResult:
    """MASE per method, each method's folds (actual, shipped forecast), and the ETS model the search picked."""

    scores: dict[str, float] = field(default_factory=dict)
    folds: dict[str, list[tuple[FloatArray, FloatArray]]] = field(default_factory=dict)
    ets_params: str = ""
    step: int = 0

    def errors(self, method: str) -> FloatArray | None:
        """The method's pooled out-of-sample errors (actual - forecast)."""
        folds = self.folds.get(method)
        return np.concatenate([a - f for a, f in folds]) if folds else None


@dataclass(frozen=True)
class _Plan:
    """Where the rolling-origin folds start and how many steps each one scores."""

    step: int
    cutoffs: tuple[int, ...]
    min_train: int


def select(series: pd.Series, freq: str, horizon: int, folds: int = DEFAULT_FOLDS) -> Selection:
    """Backtest every candidate on a regular series and choose; special cases (zero, constant, stopped) need none."""
    season = season_length(freq)
    y = series.to_numpy(dtype=float)
    special = special_case(y, season)
    if special is not None:
        return Selection(special)
    result = run_backtest(series, freq, horizon, folds)
    method = choose(result.scores, y, season)
    return Selection(method, result.ets_params if method == "ets" else "", result.scores.get(method),
                     result.scores.get("seasonal_naive"), calibrate(result.folds.get(method, [])),
                     dict(result.scores))


def run_backtest(series: pd.Series, freq: str, horizon: int, folds: int) -> BacktestResult:
    """Score every candidate on rolling-origin folds of a regular series."""
    season = season_length(freq)
    y = series.to_numpy(dtype=float)
    plan = _plan(len(y), horizon, season, folds)
    result = BacktestResult(step=plan.step)
    if not plan.cutoffs:
        return result
    for method in candidate_methods(y, season, plan.min_train):
        params = ""
        if method == "ets":
            # The model search once, on the data before the first fold; the folds refit that model, as nights do.
            try:
                params = ets_components(y[:plan.min_train], season)
            except Exception as exc:
                log.debug("ETS search failed: %s", exc)
                continue
        scored = _score_method(method, params, series, freq, season, plan)
        if scored is not None:
            result.scores[method], result.folds[method] = scored
            result.ets_params = params or result.ets_params
    return result


def candidate_methods(y: FloatArray, season: int, min_train: int) -> list[str]:
    """Return the methods worth backtesting given length and intermittency."""
    zero_share = float(np.mean(y == 0))
    methods = ["naive", "ets"]
    if min_train >= season:
        methods.append("seasonal_naive")
    if zero_share > INTERMITTENT_ZERO_SHARE:
        methods += ["zero", "tsb", "croston"]
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


def _score_method(method: str, params: str, series: pd.Series, freq: str, season: int,
                  plan: _Plan) -> tuple[float, list[tuple[FloatArray, FloatArray]]] | None:
    """Return (mean MASE over folds, the folds' actual and shipped forecast), or None if the model fails."""
    y = series.to_numpy(dtype=float)
    scores: list[float] = []
    folds: list[tuple[FloatArray, FloatArray]] = []
    for cut in plan.cutoffs:
        actual = y[cut:cut + plan.step]
        try:
            pred = predict(method, params, series.iloc[:cut], plan.step, freq, False)
        except Exception as exc:
            log.debug("candidate %s failed: %s", method, exc)
            return None
        shipped = np.clip(pred.mean, 0.0, None)  # score what would be shipped
        scores.append(float(np.mean(np.abs(actual - shipped))) / mase_scale(y[:cut], season))
        folds.append((actual, shipped))
    if not all(math.isfinite(s) for s in scores):
        return None
    return float(np.mean(scores)), folds


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


def choose(scores: dict[str, float], y: FloatArray, season: int) -> str:
    """The lowest MASE among eligible methods, never worse than seasonal naive; without a backtest, a rule."""
    intermittent = float(np.mean(y == 0)) > INTERMITTENT_ZERO_SHARE
    # On intermittent demand the MAE-optimal forecast is the median, i.e. 0, so
    # baselines that echo a zero would "win" and leave the shelves empty;
    # they compete only where nothing else beats seasonal naive.
    eligible = {m: v for m, v in scores.items() if not (intermittent and m in BASELINES)}
    if not eligible:
        return "tsb" if intermittent else "naive"
    best = min(eligible, key=lambda m: (eligible[m], METHOD_ORDER.index(m)))
    naive = scores.get("seasonal_naive", scores.get("naive"))
    if naive is None or eligible[best] <= naive:
        return best
    # No candidate beats seasonal naive: a series that has died out gets zero, if zero did at least as well.
    fallback = "seasonal_naive" if "seasonal_naive" in scores else "naive"
    if "zero" in scores and scores["zero"] <= naive and not np.any(y[-season:]):
        return "zero"
    return fallback


def predict(method: str, params: str, series: pd.Series, h: int, freq: str, intervals: bool) -> Prediction:
    """Fit `method` (with its params) on series and predict h steps."""
    if method == "prophet":
        return prophet_model.prophet_predict(series, h, freq, intervals)
    y = series.to_numpy(dtype=float)
    season = season_length(freq)
    if method == "zero":
        flat = np.zeros(h)
        return Prediction(flat, flat, flat)
    if method == "ets":
        return ets(y, h, season, intervals, params)
    return ARRAY_MODELS[method](y, h, season, intervals)


def special_case(y: FloatArray, season: int) -> str | None:
    """The method for all-zero ("zero"), constant ("naive") or stopped ("zero") demand, else None."""
    if not np.any(y):
        return "zero"
    if float(np.ptp(y)) == 0.0:
        return "naive"
    if is_stopped(y, season):
        return "zero"
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
