"""Tests for stockpile.forecast.engine: real model fits on small synthetic data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from stockpile.forecast.engine.forecasting import (
    backtest,
    fit_one_default,
    fit_one_tuned,
    forecast,
    is_stopped,
)
from stockpile.forecast.engine.series import regularize

METHODS = {"prophet", "seasonal_naive", "ets", "tsb", "croston", "naive", "zero"}


def _check_frame(frame: pd.DataFrame, horizon: int) -> None:
    """Assert the documented output contract."""
    assert list(frame.columns) == ["yhat", "yhat_lower", "yhat_upper", "cum_lower", "cum_upper", "method"]
    assert len(frame) == horizon
    for col in ("yhat", "yhat_lower", "yhat_upper"):
        assert frame[col].dtype == np.float64
        assert np.isfinite(frame[col]).all()
    if frame["cum_lower"].notna().all():  # a calibrated band of cumulative demand holds the cumulative forecast
        total = frame["yhat"].cumsum()
        assert (frame["cum_lower"] <= total + 1e-9).all()
        assert (total <= frame["cum_upper"] + 1e-9).all()
        assert (frame["cum_lower"] >= 0).all()
    assert (frame["yhat_lower"] >= 0).all()
    assert (frame["yhat_lower"] <= frame["yhat"] + 1e-9).all()
    assert (frame["yhat"] <= frame["yhat_upper"] + 1e-9).all()
    assert frame["method"].nunique() == 1
    assert frame["method"].iloc[0] in METHODS


def _weekday_series(days: int, seed: int = 0, start: str = "2024-01-01") -> pd.Series:
    """Daily demand: ~100 on weekdays, ~20 at weekends."""
    rng = np.random.default_rng(seed)
    index = pd.date_range(start, periods=days, freq="D")
    level = np.where(index.dayofweek < 5, 100.0, 20.0)
    return pd.Series(level + rng.normal(0, 5, days), index=index)


def test_daily_output_shape_index_and_weekly_pattern() -> None:
    history = _weekday_series(112)
    result = forecast(history, 14)
    _check_frame(result, 14)
    expected = pd.date_range(history.index[-1] + pd.Timedelta(days=1), periods=14, freq="D")
    assert result.index.equals(expected)
    weekday = result.loc[result.index.dayofweek < 5, "yhat"].mean()
    weekend = result.loc[result.index.dayofweek >= 5, "yhat"].mean()
    assert weekday > 80
    assert weekend < 40


@pytest.mark.parametrize(
    ("freq", "periods", "horizon"),
    [("W-MON", 80, 8), ("MS", 30, 6), ("ME", 30, 6)],
)
def test_weekly_and_monthly_output(freq: str, periods: int, horizon: int) -> None:
    rng = np.random.default_rng(1)
    index = pd.date_range("2020-01-01", periods=periods, freq=freq)
    history = pd.Series(rng.poisson(50, periods).astype(float), index=index)
    result = forecast(history, horizon)
    _check_frame(result, horizon)
    assert result.index.equals(pd.date_range(index[-1], periods=horizon + 1, freq=freq)[1:])
    assert 30 < result["yhat"].mean() < 70


def test_frequency_inferred_without_freq_attribute() -> None:
    index = pd.DatetimeIndex(list(pd.date_range("2023-03-01", periods=40, freq="W-WED")))
    assert index.freq is None
    history = pd.Series(np.arange(40, dtype=float) % 5 + 10, index=index)
    result = forecast(history, 3)
    assert list(result.index.dayofweek) == [2, 2, 2]
    assert (np.diff(result.index.asi8) == 7 * 86_400 * 10**9).all()


@pytest.mark.parametrize(
    ("history", "horizon", "message"),
    [
        (pd.Series([], dtype=float, index=pd.DatetimeIndex([])), 5, "empty"),
        (pd.Series([1.0, 2.0, 3.0]), 5, "DatetimeIndex"),
        (pd.Series([1.0, 2.0], index=pd.date_range("2024-01-01", periods=2)), 0, "horizon"),
        (pd.Series([1.0, np.nan, 2.0], index=pd.date_range("2024-01-01", periods=3)), 2,
         "non-finite"),
        (pd.Series([1.0, 2.0, 3.0],
                   index=pd.DatetimeIndex(["2024-01-01", "2024-01-04", "2024-01-06 13:00"])),
         2, "frequency"),
    ],
)
def test_invalid_input_raises(history: pd.Series, horizon: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        forecast(history, horizon)


def test_constant_series_gives_flat_forecast() -> None:
    history = pd.Series(7.0, index=pd.date_range("2024-01-01", periods=60, freq="D"))
    result = forecast(history, 10)
    _check_frame(result, 10)
    assert (result["yhat"] == 7.0).all()
    assert result["method"].iloc[0] == "naive"


def test_all_zero_series() -> None:
    history = pd.Series(0.0, index=pd.date_range("2024-01-01", periods=30, freq="D"))
    result = forecast(history, 5)
    _check_frame(result, 5)
    assert (result[["yhat", "yhat_upper"]] == 0.0).all().all()
    assert result["method"].iloc[0] == "zero"


def test_gaps_are_filled_with_zero_demand() -> None:
    history = _weekday_series(70)
    gappy = history.drop(history.index[[10, 11, 40]])
    series, freq = regularize(gappy)
    assert freq == "D"
    assert len(series) == 70
    assert (series.iloc[[10, 11, 40]] == 0.0).all()
    result = forecast(gappy, 7)
    _check_frame(result, 7)
    assert result.index[0] == history.index[-1] + pd.Timedelta(days=1)


def test_intermittent_demand_uses_suited_method_with_sane_mean() -> None:
    rng = np.random.default_rng(3)
    index = pd.date_range("2023-01-01", periods=200, freq="D")
    values = rng.poisson(4, 200) * (rng.random(200) < 0.25)
    history = pd.Series(values.astype(float), index=index)
    result = forecast(history, 14)
    _check_frame(result, 14)
    assert result["method"].iloc[0] not in {"naive", "seasonal_naive", "zero"}
    assert 0.4 * history.mean() < result["yhat"].mean() < 2.0 * history.mean()
    assert result["yhat_upper"].max() > result["yhat"].max()


def test_stopped_demand_decays_to_near_zero() -> None:
    rng = np.random.default_rng(4)
    values = np.r_[rng.poisson(10, 150), np.zeros(30)].astype(float)
    history = pd.Series(values, index=pd.date_range("2023-01-01", periods=180, freq="D"))
    assert is_stopped(values, 7)
    result = forecast(history, 14)
    _check_frame(result, 14)
    assert result["yhat"].max() < 0.5


def test_recently_dropped_demand_not_carried_on() -> None:
    # Only ten idle weeks (< one season): no hard guard, the candidates must decay.
    rng = np.random.default_rng(5)
    values = np.r_[rng.poisson(30, 90), np.zeros(10)].astype(float)
    index = pd.date_range("2021-01-04", periods=100, freq="W-MON")
    result = forecast(pd.Series(values, index=index), 8)
    _check_frame(result, 8)
    assert result["yhat"].mean() < 10


def test_weekly_seasonality_beats_naive_in_backtest() -> None:
    history = _weekday_series(112, seed=6)
    scores = backtest(history, 14)
    assert {"naive", "seasonal_naive", "ets"} <= set(scores)
    assert all(np.isfinite(v) for v in scores.values())
    assert scores["seasonal_naive"] < 0.5 * scores["naive"]
    result = forecast(history, 14)
    chosen = result["method"].iloc[0]
    assert chosen in {"seasonal_naive", "ets", "prophet"}
    assert result.attrs["mase"][chosen] == min(result.attrs["mase"].values())
    # The chosen model must also beat the plain historical mean on the last week.
    train, test = history.iloc[:-7], history.iloc[-7:]
    fit = forecast(train, 7)["yhat"].to_numpy()
    assert np.abs(test.to_numpy() - fit).mean() < 0.5 * np.abs(test - train.mean()).mean()


def test_declining_series_is_clipped_at_zero() -> None:
    rng = np.random.default_rng(7)
    index = pd.date_range("2024-01-01", periods=90, freq="D")
    history = pd.Series(np.linspace(60, 2, 90) + rng.normal(0, 2, 90), index=index).clip(0)
    result = forecast(history, 60)
    _check_frame(result, 60)
    assert (result["yhat"] >= 0).all()
    assert result["yhat"].iloc[-1] < 15


def test_short_history_uses_simple_method() -> None:
    history = pd.Series([3.0, 5.0, 4.0, 6.0, 5.0],
                        index=pd.date_range("2024-01-01", periods=5, freq="D"))
    result = forecast(history, 4)
    _check_frame(result, 4)
    assert result["method"].iloc[0] in {"naive", "ets"}
    assert 2.0 < result["yhat"].mean() < 7.0


def test_prophet_runs_tuned_and_default() -> None:
    history = _weekday_series(60, seed=8)
    tuned = fit_one_tuned(history, 7)
    default = fit_one_default(history, 7)
    for frame in (tuned, default):
        assert len(frame) == 7
        assert (frame["yhat_lower"] <= frame["yhat_upper"]).all()
    assert np.abs(tuned["yhat"].to_numpy() - default["yhat"].to_numpy()).max() < 20
