"""Intervals that hold: conformal calibration of the daily 80 % interval and of the band of cumulative demand.

The models' own intervals assume their errors; the backtest shows the real ones. From the chosen method's errors on
the held-out folds (actual minus what would have been shipped), per unit of the fold's forecast level so they carry
over to a higher or lower level:

* daily: the 10th and 90th percentile of the error, as the daily 80 % interval yhat + q * level;
* cumulative: what a stock-out depends on is the error of demand summed from the first forecast day, and errors
  persist, so it grows with the horizon h faster than sqrt(h). Its scale is fitted as level * h^power (power between
  0.5, independent days, and 1, a fully persistent error), and the 10th and 90th percentile of the errors divided by
  that scale give the band cum_yhat + q * level * h^power (stockpile.forecast.spread reads it).

With three folds the quantiles rest on few independent errors, so they are widened by the conformal finite-sample
factor and never lie on the wrong side of zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from stockpile.forecast.engine.candidates import FloatArray

QUANTILES = (0.10, 0.90)
POWER_RANGE = (0.5, 1.0)
# Levels below this (units a day) are taken as this, so a near-zero forecast still gets a band of a few units.
MIN_LEVEL = 0.5
# The empirical quantile of n scores is widened by this much per missing fold (conformal: (n + 1) / n).
FOLDS_FOR_FULL_TRUST = 6


@dataclass(frozen=True)
class Calibration:
    """The daily and cumulative 80 % bands per unit of forecast level (module docstring)."""

    daily_low: float
    daily_high: float
    cum_power: float
    cum_low: float
    cum_high: float


@dataclass(frozen=True)
class Bands:
    """Daily interval and cumulative band of one forecast."""

    lower: FloatArray
    upper: FloatArray
    cum_lower: FloatArray
    cum_upper: FloatArray


def level_of(forecast: FloatArray) -> float:
    """The forecast's level: its mean, at least MIN_LEVEL."""
    return max(float(np.mean(np.clip(forecast, 0.0, None))) if len(forecast) else 0.0, MIN_LEVEL)


def calibrate(folds: Sequence[tuple[FloatArray, FloatArray]]) -> Calibration | None:
    """Calibration from the backtest folds (actual, shipped forecast); None without two usable folds."""
    folds = [(a, f) for a, f in folds if len(a) >= 2]
    if len(folds) < 2:
        return None
    levels = [level_of(f) for _a, f in folds]
    daily = np.concatenate([(a - f) / lv for (a, f), lv in zip(folds, levels, strict=True)])
    cum = [np.cumsum(a - f) / lv for (a, f), lv in zip(folds, levels, strict=True)]
    power = _power(cum)
    steps = [np.arange(1, len(c) + 1, dtype=float) ** power for c in cum]
    scores = np.concatenate([c / s for c, s in zip(cum, steps, strict=True)])
    widen = 1.0 + max(FOLDS_FOR_FULL_TRUST - len(folds), 0) / (2 * FOLDS_FOR_FULL_TRUST)
    daily_low, daily_high = _quantiles(daily, 1.0)
    cum_low, cum_high = _quantiles(scores, widen)
    return Calibration(daily_low, daily_high, power, cum_low, cum_high)


def _power(cum: Sequence[FloatArray]) -> float:
    """The exponent of the cumulative error's growth, fitted on log |error| against log h."""
    length = min(len(c) for c in cum)
    if length < 4:
        return 0.75
    size = np.mean(np.abs(np.vstack([c[:length] for c in cum])), axis=0)
    h = np.arange(1, length + 1, dtype=float)
    keep = size > 0
    if keep.sum() < 4:
        return 0.75
    slope = float(np.polyfit(np.log(h[keep]), np.log(size[keep]), 1)[0])
    return float(np.clip(slope, *POWER_RANGE))


def _quantiles(scores: FloatArray, widen: float) -> tuple[float, float]:
    low, high = np.quantile(scores, QUANTILES)
    return min(float(low), 0.0) * widen, max(float(high), 0.0) * widen


def bands(mean: FloatArray, calibration: Calibration, step: int) -> Bands:
    """The daily interval and cumulative band around a forecast (clipped at zero), level from its first `step` days."""
    level = level_of(mean[:max(step, 1)])
    lower = np.clip(mean + calibration.daily_low * level, 0.0, None)
    upper = mean + calibration.daily_high * level
    h = np.arange(1, len(mean) + 1, dtype=float) ** calibration.cum_power
    total = np.cumsum(mean)
    cum_lower = np.maximum.accumulate(np.clip(total + calibration.cum_low * level * h, 0.0, None))
    cum_upper = total + calibration.cum_high * level * h
    return Bands(np.minimum(lower, mean), np.maximum(upper, mean), np.minimum(cum_lower, total),
                 np.maximum(cum_upper, total))


def recent_spread(mean: FloatArray, y: FloatArray, season: int, method: str) -> tuple[FloatArray, FloatArray]:
    """Without a backtest or a model interval: the spread of recent demand around its mean (none if flat or zero)."""
    if method == "zero" or len(y) < 2 or float(np.ptp(y)) == 0.0:
        return mean, mean
    recent = y[-max(4 * season, 28):]
    low, high = np.quantile(recent - recent.mean(), QUANTILES)
    return np.clip(mean + min(float(low), 0.0), 0.0, None), mean + max(float(high), 0.0)
