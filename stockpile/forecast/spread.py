"""The spread of cumulative demand by horizon, which the projection's sample paths need.

The engine stores, per day, the central forecast and an 80 % interval of that day's demand. What a stock-out
depends on is the error of *cumulative* demand, and forecast errors persist: a day above the forecast is usually
followed by more. Summing the daily intervals (fully persistent errors) overstates the spread; adding their variances
(independent errors) understates it badly. Until the engine stores calibrated quantiles of cumulative demand per
horizon, the spread is taken between the two: variance = (1 - rho) * sum(sigma^2) + rho * (sum(sigma))^2, with rho the
share of the daily error that persists.
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


def _cumulative(sigmas: Sequence[float], persistence: float) -> list[float]:
    result: list[float] = []
    squares = total = 0.0
    for sigma in sigmas:
        squares += sigma * sigma
        total += sigma
        result.append(math.sqrt((1 - persistence) * squares + persistence * total * total))
    return result
