"""The spread of cumulative demand by horizon, which the projection's sample paths need.

What a stock-out depends on is the error of *cumulative* demand, and forecast errors persist: a day above the
forecast is usually followed by more. The engine stores with each forecast point the 80 % band of cumulative demand
from the series' first forecast day through that day, calibrated on its own backtest errors (cum_lower, cum_upper;
stockpile.forecast.engine.calibration): `spread_from_cumulative_bands` turns it into the spread below and above the
central forecast. Its growth with the horizon does not depend on the day it starts from (the engine fits it as
a * h^b), so a forecast a few days old is read from today with the spread of the first days.

Forecasts stored before the engine calibrated cumulative demand carry only a daily 80 % interval. Summing those
(fully persistent errors) overstates the spread and adding their variances (independent errors) understates it
badly; `spread_from_daily_bands` takes the spread between the two: variance = (1 - rho) * sum(sigma^2) +
rho * (sum(sigma))^2, rho being the share of a day's error that persists.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from stockpile.forecast.projection import Z_90, Spread

PERSISTENCE = 0.5  # rho: the share of a day's error that persists into the following days


def spread_from_daily_bands(forecast: Sequence[float], lower: Sequence[float], upper: Sequence[float],
                            persistence: float = PERSISTENCE) -> Spread:
    """Cumulative spread below and above the forecast, from each day's 80 % interval (module docstring)."""
    above = [max(u - f, 0.0) / Z_90 for f, u in zip(forecast, upper, strict=True)]
    below = [max(f - lo, 0.0) / Z_90 for f, lo in zip(forecast, lower, strict=True)]
    return Spread(tuple(_cumulative(below, persistence)), tuple(_cumulative(above, persistence)))


def spread_from_cumulative_bands(forecast: Sequence[float], cum_lower: Sequence[float],
                                 cum_upper: Sequence[float]) -> Spread:
    """Spread below and above the cumulative central forecast, from the 80 % band of cumulative demand."""
    below, above, total = [], [], 0.0
    for daily, low, high in zip(forecast, cum_lower, cum_upper, strict=True):
        total += daily
        below.append(max(total - low, 0.0) / Z_90)
        above.append(max(high - total, 0.0) / Z_90)
    return Spread(tuple(below), tuple(above))


def _cumulative(sigmas: Sequence[float], persistence: float) -> list[float]:
    result: list[float] = []
    squares = total = 0.0
    for sigma in sigmas:
        squares += sigma * sigma
        total += sigma
        result.append(math.sqrt((1 - persistence) * squares + persistence * total * total))
    return result
