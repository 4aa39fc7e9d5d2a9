"""Simple statsforecast candidates and the shared Prediction container."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from statsforecast.models import TSB, AutoETS, CrostonSBA, Naive, SeasonalNaive

FloatArray = NDArray[np.float64]
LEVEL = 80  # percent; the interval every method reports

# Fixed TSB smoothing: 0.1/0.1 is the textbook default; the probability term
# decays by 10% per zero period, so stopped demand fades out instead of
# carrying on like Croston does.
TSB_ALPHA_D = 0.1
TSB_ALPHA_P = 0.1


@dataclass(frozen=True)
class Prediction:
    """Point forecast with optional interval bounds (None when the model has none)."""

    mean: FloatArray
    lower: FloatArray | None
    upper: FloatArray | None


def _from_result(res: dict[str, FloatArray], intervals: bool) -> Prediction:
    """Turn a statsforecast result dict into a Prediction."""
    mean = np.asarray(res["mean"], dtype=float)
    if not intervals or f"lo-{LEVEL}" not in res:
        return Prediction(mean, None, None)
    lower = np.asarray(res[f"lo-{LEVEL}"], dtype=float)
    upper = np.asarray(res[f"hi-{LEVEL}"], dtype=float)
    return Prediction(mean, lower, upper)


def _level(intervals: bool) -> list[int] | None:
    """Return the statsforecast level argument."""
    return [LEVEL] if intervals else None


def naive(y: FloatArray, h: int, season: int, intervals: bool) -> Prediction:
    """Repeat the last value."""
    return _from_result(Naive().forecast(y=y, h=h, level=_level(intervals)), intervals)


def seasonal_naive(y: FloatArray, h: int, season: int, intervals: bool) -> Prediction:
    """Repeat the last season (falls back to naive with less than one season)."""
    if len(y) < season:
        return naive(y, h, season, intervals)
    model = SeasonalNaive(season_length=season)
    return _from_result(model.forecast(y=y, h=h, level=_level(intervals)), intervals)


def ets_season(n: int, season: int) -> int:
    """ETS is seasonal only when two full seasons are available."""
    return season if n >= 2 * season else 1


def ets_model(y: FloatArray, season: int, components: str = "") -> AutoETS:
    """An unfitted ETS: the given model ("MAMN": errors, trend, season, damped or not) or the full search.

    The full "ZZZ" search (about 30 models) is what selection does, once per series; restricting it to additive
    errors was ~3x faster but lost ~0.06 mean MASE (weekday/weekend patterns are multiplicative). A refit of the
    stored model fits one.
    """
    m = ets_season(len(y), season)
    usable = len(components) == 4 and not (m == 1 and components[2] != "N")
    if not usable:
        return AutoETS(season_length=m)
    return AutoETS(season_length=m, model=components[:3], damped=components[3] == "D")


def ets_components(y: FloatArray, season: int) -> str:
    """The model the full ETS search picks for y, e.g. "MAMN"."""
    return str(ets_model(y, season).fit(y).model_["components"])


def ets(y: FloatArray, h: int, season: int, intervals: bool, components: str = "") -> Prediction:
    """ETS with the given components (the full search without them); the full search when they no longer fit."""
    try:
        model = ets_model(y, season, components)
        return _from_result(model.forecast(y=y, h=h, level=_level(intervals)), intervals)
    except Exception:
        if not components:
            raise
        # A multiplicative model cannot fit data that has since turned to zeros: search again.
        return ets(y, h, season, intervals)


def tsb(y: FloatArray, h: int, season: int, intervals: bool) -> Prediction:
    """Teunter-Syntetos-Babai intermittent demand (no own intervals)."""
    model = TSB(alpha_d=TSB_ALPHA_D, alpha_p=TSB_ALPHA_P)
    return _from_result(model.forecast(y=y, h=h), False)


def croston(y: FloatArray, h: int, season: int, intervals: bool) -> Prediction:
    """Croston with the Syntetos-Boylan bias correction (no own intervals)."""
    return _from_result(CrostonSBA().forecast(y=y, h=h), False)


ArrayModel = Callable[[FloatArray, int, int, bool], Prediction]

ARRAY_MODELS: dict[str, ArrayModel] = {
    "naive": naive,
    "seasonal_naive": seasonal_naive,
    "ets": ets,
    "tsb": tsb,
    "croston": croston,
}
