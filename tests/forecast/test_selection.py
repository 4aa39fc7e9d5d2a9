"""Selection apart from fitting: the backtest chooses (never worse than seasonal naive), a refit uses the choice,
a drifted series is chosen again, and the calibrated bands hold what they say."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from stockpile.forecast.engine import calibration
from stockpile.forecast.engine.bulk import fit_batch
from stockpile.forecast.engine.forecasting import forecast
from stockpile.forecast.engine.jobs import SeriesJob
from stockpile.forecast.engine.selection import Selection, select

START = dt.date(2025, 1, 6)


def _dying_intermittent(days: int = 364, seed: int = 21) -> np.ndarray:
    """Intermittent demand that dies out: orders get rarer until one every few weeks, the last one 5 days ago."""
    rng = np.random.default_rng(seed)
    chance = np.linspace(0.45, 0.03, days)
    values = rng.poisson(6, days) * (rng.random(days) < chance)
    values[-40:] = 0
    values[[-30, -5]] = 4  # not stopped: still a rare order
    return values.astype(float)


def _weekday_demand(days: int, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    week = np.array([1.1, 1.1, 1.0, 1.0, 1.0, 0.5, 0.4])
    return rng.poisson(80 * week[np.arange(days) % 7]).astype(float)


def _series(values: np.ndarray) -> pd.Series:
    return pd.Series(values, index=pd.date_range(START, periods=len(values), freq="D"))


def test_an_intermittent_series_that_dies_out_is_never_forecast_worse_than_seasonal_naive() -> None:
    chosen = select(_series(_dying_intermittent()), "D", 90)
    assert chosen.mase is not None
    assert chosen.seasonal_naive_mase is not None
    assert chosen.mase <= chosen.seasonal_naive_mase
    assert chosen.scores[chosen.method] == chosen.mase


def test_never_worse_than_seasonal_naive_on_many_dying_series() -> None:
    for seed in range(8):
        chosen = select(_series(_dying_intermittent(seed=seed)), "D", 90)
        if chosen.mase is not None:
            assert chosen.seasonal_naive_mase is None or chosen.mase <= chosen.seasonal_naive_mase, (seed, chosen)


def test_a_selection_keeps_the_ets_model_it_chose_and_a_refit_uses_it_without_a_backtest() -> None:
    history = _series(_weekday_demand(200))
    chosen = select(history, "D", 30)
    if chosen.method == "ets":
        assert len(chosen.params) == 4
    fixed = Selection("ets", "ANAN", 1.0, 1.2, chosen.calibration)
    refit = forecast(history, 30, fixed)
    assert refit["method"].iloc[0] == "ets"
    assert refit.attrs["mase"] == {}  # no backtest ran
    weekday, weekend = refit["yhat"].iloc[:7].max(), refit["yhat"].iloc[:7].min()
    assert weekday > 1.5 * weekend  # the additive weekly season it was told to fit


def test_the_nightly_refit_keeps_the_selection_and_a_drifted_series_is_chosen_again() -> None:
    values = _weekday_demand(300)
    chosen = select(_series(values), "D", 30)
    kept = SeriesJob(1, None, START, tuple(values), 30, chosen)
    jumped = values.copy()
    jumped[-28:] *= 4  # a wave the chosen method has not seen
    drifted = SeriesJob(2, None, START, tuple(jumped), 30, chosen)
    new = SeriesJob(3, None, START, tuple(values), 30, None, "new")
    first, second, third = fit_batch([kept, drifted, new])
    assert (first.selection, first.why, first.method) == (None, "", chosen.method)
    assert second.why == "drift"
    assert second.selection is not None
    assert third.why == "new"
    assert third.selection is not None
    assert third.selection.method == chosen.method
    for outcome in (first, second, third):
        assert not outcome.error
        assert len(outcome.yhat) == len(outcome.cum_upper) == 30


def test_a_stored_special_case_is_refitted_without_a_backtest_and_chosen_again_when_demand_returns() -> None:
    zeros = SeriesJob(1, None, START, (0.0,) * 60, 14, Selection("zero"))
    back = SeriesJob(2, None, START, tuple(_weekday_demand(120)), 14, Selection("zero"))
    quiet, busy = fit_batch([zeros, back])
    assert (quiet.method, quiet.selection, quiet.yhat) == ("zero", None, (0.0,) * 14)
    assert busy.why == "changed"
    assert busy.method != "zero"


def test_calibrated_bands_widen_with_the_horizon_and_hold_the_forecast() -> None:
    rng = np.random.default_rng(3)
    folds = [(f + rng.normal(0, 10, 28) + rng.normal(0, 5), f) for f in (np.full(28, 100.0),) * 3]
    cal = calibration.calibrate(folds)
    assert cal is not None
    assert cal.daily_low < 0 < cal.daily_high
    assert 0.5 <= cal.cum_power <= 1.0
    band = calibration.bands(np.full(90, 100.0), cal, 28)
    width = band.cum_upper - band.cum_lower
    assert np.all(np.diff(width) >= -1e-9)
    total = np.cumsum(np.full(90, 100.0))
    assert np.all(band.cum_lower <= total)
    assert np.all(total <= band.cum_upper)
    assert np.all(band.lower <= 100.0)
    assert np.all(band.upper >= 100.0)
