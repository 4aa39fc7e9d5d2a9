"""Prophet configured for speed and for demand data, plus a defaults-only baseline."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from stockpile.forecast.engine.candidates import Prediction
from stockpile.forecast.engine.series import future_index, season_length

if TYPE_CHECKING:
    from prophet import Prophet

# 100 draws estimate the 10th/90th percentiles of an 80% interval to within a
# few percent, at a tenth of the cost of Prophet's default 1000.
UNCERTAINTY_SAMPLES = 100
INTERVAL_WIDTH = 0.80
# Demand rarely has sustained trends; a tighter prior than Prophet's 0.05 keeps
# the piecewise-linear trend from extrapolating a short surge for months.
CHANGEPOINT_PRIOR_SCALE = 0.02
HOLIDAY_COUNTRY = "NL"

# Yearly Fourier order by season length: monthly data has only 12 distinct
# phases per year, so a high order would just fit noise.
_YEARLY_ORDER = {7: 10, 52: 6, 12: 4}


def _silence_logs() -> None:
    """Keep cmdstanpy/prophet chatter out of service logs (idempotent)."""
    # cmdstanpy installs its own DEBUG logger with an INFO handler the first
    # time it logs unless a handler already exists, so add a NullHandler too.
    for name, level in (("cmdstanpy", logging.WARNING), ("prophet", logging.WARNING),
                        ("prophet.plot", logging.CRITICAL)):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        if not any(isinstance(h, logging.NullHandler) for h in logger.handlers):
            logger.addHandler(logging.NullHandler())


def _new_prophet(**kwargs: Any) -> Prophet:
    """Import Prophet lazily (after silencing its loggers) and instantiate it."""
    _silence_logs()
    # Imported here: prophet/cmdstanpy cost ~0.4 s and log at import time.
    from prophet import Prophet

    return Prophet(**kwargs)


def _yearly_order(n: int, season: int) -> int:
    """Return the yearly Fourier order, 0 when there are fewer than ~2 years."""
    periods_per_year = {7: 365, 52: 52, 12: 12}[season]
    # Two full cycles are needed to tell yearly seasonality from trend; allow a
    # month of slack for daily series that are "two years" by calendar.
    needed = 2 * periods_per_year - (30 if season == 7 else 0)
    return _YEARLY_ORDER[season] if n >= needed else 0


def build_prophet(n: int, freq: str, samples: int) -> Prophet:
    """Return an unfitted Prophet set up for a series of n points at freq."""
    season = season_length(freq)
    daily = season == 7
    model = _new_prophet(
        growth="linear",
        changepoint_prior_scale=CHANGEPOINT_PRIOR_SCALE,
        yearly_seasonality=_yearly_order(n, season),
        # Weekly pattern needs two to three weeks to be identifiable.
        weekly_seasonality=daily and n >= 21,
        daily_seasonality=False,
        seasonality_mode="additive",  # multiplicative breaks on zero demand
        interval_width=INTERVAL_WIDTH,
        uncertainty_samples=samples,
        mcmc_samples=0,
    )
    if daily:
        model.add_country_holidays(country_name=HOLIDAY_COUNTRY)
    return model


def prophet_predict(series: pd.Series, h: int, freq: str, intervals: bool) -> Prediction:
    """Fit tuned Prophet (LBFGS) on series and predict h steps."""
    samples = UNCERTAINTY_SAMPLES if intervals else 0  # backtests need no intervals
    model = build_prophet(len(series), freq, samples)
    model.fit(_to_frame(series), algorithm="LBFGS")
    future = pd.DataFrame({"ds": future_index(series.index[-1], h, freq)})
    out = model.predict(future)
    mean = out["yhat"].to_numpy(dtype=float)
    if not intervals:
        return Prediction(mean, None, None)
    lower = out["yhat_lower"].to_numpy(dtype=float)
    upper = out["yhat_upper"].to_numpy(dtype=float)
    return Prediction(mean, lower, upper)


def fit_one_tuned(history: pd.Series, horizon: int, freq: str) -> pd.DataFrame:
    """Run the tuned Prophet once on a regular series (benchmark helper)."""
    pred = prophet_predict(history, horizon, freq, intervals=True)
    index = future_index(history.index[-1], horizon, freq)
    return pd.DataFrame({"yhat": pred.mean, "yhat_lower": pred.lower,
                         "yhat_upper": pred.upper}, index=index)


def fit_one_default(history: pd.Series, horizon: int, freq: str,
                    algorithm: str | None = None) -> pd.DataFrame:
    """Run Prophet with its own defaults once (benchmark baseline only).

    algorithm=None keeps Prophet's choice (Newton below 100 points, else
    LBFGS in prophet 1.5); pass "Newton" to force it.
    """
    model = _new_prophet()
    kwargs = {} if algorithm is None else {"algorithm": algorithm}
    model.fit(_to_frame(history), **kwargs)
    future = pd.DataFrame({"ds": future_index(history.index[-1], horizon, freq)})
    out = model.predict(future)
    return pd.DataFrame({"yhat": out["yhat"].to_numpy(dtype=float),
                         "yhat_lower": out["yhat_lower"].to_numpy(dtype=float),
                         "yhat_upper": out["yhat_upper"].to_numpy(dtype=float)},
                        index=future["ds"].to_numpy())


def _to_frame(series: pd.Series) -> pd.DataFrame:
    """Return the ds/y frame Prophet expects."""
    return pd.DataFrame({"ds": series.index, "y": np.asarray(series, dtype=float)})
