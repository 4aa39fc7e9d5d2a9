"""Forecast a batch of series at once: select where needed, check the others for drift, refit in bulk.

Series whose selection is in force are refitted with the chosen method only. Those of a statsforecast method
(ETS with its stored model, seasonal naive, naive, TSB, Croston SBA) are fitted together, one StatsForecast call per
model, for the whole frame of series; Prophet is fitted only where it won the backtest. The same call gives each
series' in-sample one-step errors: where those of the last four weeks are DRIFT_FACTOR x those of the time before
(the chosen method no longer follows the series), the series is selected anew at once. One bad series never stops
the batch: a failed bulk call is repeated series by series, and a series that still fails comes back with its
error.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import TSB, CrostonSBA, Naive, SeasonalNaive

from stockpile.forecast.engine import selection as selecting
from stockpile.forecast.engine.calibration import bands, recent_spread
from stockpile.forecast.engine.candidates import TSB_ALPHA_D, TSB_ALPHA_P, FloatArray, ets_model, ets_season
from stockpile.forecast.engine.jobs import SeriesJob, SeriesOutcome
from stockpile.forecast.engine.series import future_index, season_length

FREQ = "D"
SEASON = season_length(FREQ)
# Recent error is the mean one-step error of the last four weeks; past this multiple of the error before, the series
# is selected anew.
DRIFT_FACTOR = 1.5
DRIFT_STEPS = selecting.MAX_BACKTEST_STEPS
BULK_METHODS = frozenset({"ets", "seasonal_naive", "naive", "tsb", "croston"})


@dataclass
class _Series:
    """One job on its way through the batch."""

    job: SeriesJob
    history: pd.Series
    selection: selecting.Selection | None
    why: str
    began: float
    seconds: float = 0.0
    error: str = ""
    mean: FloatArray | None = None
    fitted: FloatArray | None = None


def history_of(job: SeriesJob) -> pd.Series:
    """The job's daily history as a series (the seam where one series' input is read)."""
    return pd.Series(job.values, index=pd.date_range(job.start, periods=len(job.values), freq=FREQ))


def fit_batch(jobs: Sequence[SeriesJob]) -> list[SeriesOutcome]:
    """Forecast every job of a batch (in job order), selecting anew where the job or its drift asks for it."""
    items = [_start(job) for job in jobs]
    _select(s for s in items if not s.error and s.selection is None)
    _refit([s for s in items if not s.error])
    drifted = [s for s in items if not s.error and not s.why and _has_drifted(s)]
    _select(drifted)
    _refit([s for s in drifted if not s.error])
    return [_outcome(s) for s in items]


def _start(job: SeriesJob) -> _Series:
    began = time.perf_counter()
    try:
        history = history_of(job)
    except Exception as exc:
        return _Series(job, pd.Series(dtype=float), None, "", began, error=f"{type(exc).__name__}: {exc}")
    stored, y = job.selection, history.to_numpy(dtype=float)
    special = selecting.special_case(y, SEASON)
    if special is not None:  # all zero, constant or stopped: cheap to see every night, no backtest needed
        same = stored is not None and stored.method == special and stored.mase is None
        return _Series(job, history, selecting.Selection(special), "" if same else (job.why or "changed"), began)
    if stored is not None and stored.mase is None:  # chosen without a backtest: choose again now there is data
        return _Series(job, history, None, "changed", began)
    return _Series(job, history, stored, "" if stored is not None else (job.why or "new"), began)


def _select(items: Iterable[_Series]) -> None:
    """Backtest and choose, series by series (the costly step)."""
    for s in items:
        began = time.perf_counter()
        try:
            s.selection = selecting.select(s.history, FREQ, s.job.horizon)
            s.why = s.why or "drift"
        except Exception as exc:
            s.error = f"{type(exc).__name__}: {exc}"
        s.seconds += time.perf_counter() - began


def _has_drifted(s: _Series) -> bool:
    """True when the refit's one-step errors of the last four weeks are DRIFT_FACTOR x those of the time before.

    The errors come with the refit (in-sample fitted values), so the check costs no extra fit; a series without
    them (Prophet, or one fitted alone) is chosen again weekly.
    """
    if s.fitted is None or s.selection is None or s.selection.mase is None or len(s.history) <= 3 * DRIFT_STEPS:
        return False
    errors = np.abs(s.history.to_numpy(dtype=float) - s.fitted)[SEASON:]
    recent, before = errors[-DRIFT_STEPS:], errors[:-DRIFT_STEPS]
    if np.isnan(recent).any() or not np.isfinite(before).any():
        return False
    usual = float(np.nanmean(before))
    if usual <= 0 or float(np.mean(recent)) <= DRIFT_FACTOR * usual:
        return False
    s.selection, s.why, s.mean, s.fitted = None, "drift", None, None
    return True


def _refit(items: list[_Series]) -> None:
    """The chosen method of every series, fitted on its whole history."""
    if not items:
        return
    fits = _predict_all(items, items[0].job.horizon)
    for s in items:
        if id(s) in fits:
            s.mean, s.fitted = fits[id(s)]
        elif not s.error:
            s.error = "no forecast came back"


Fit = tuple[FloatArray, FloatArray | None]  # the forecast, and the in-sample fitted values where the method has them


def _predict_all(items: list[_Series], h: int) -> dict[int, Fit]:
    """Each series' forecast of h days (and fitted values): bulk where the method allows."""
    groups: dict[tuple[str, str, int], list[_Series]] = defaultdict(list)
    result: dict[int, Fit] = {}
    for s in items:
        assert s.selection is not None
        method = s.selection.method
        n = len(s.history)
        if method in BULK_METHODS and n >= 2:
            season = ets_season(n, SEASON) if method == "ets" else int(n >= SEASON)
            groups[(method, s.selection.params, season)].append(s)
        else:
            _predict_alone(s, h, result)
    for (method, params, _m), members in groups.items():
        began = time.perf_counter()
        try:
            result.update(_bulk_call(method, params, members, h))
        except Exception:  # repeated series by series, so only the bad one fails
            for s in members:
                _predict_alone(s, h, result)
            continue
        share = (time.perf_counter() - began) / len(members)
        for s in members:
            s.seconds += share
    return result


def _predict_alone(s: _Series, h: int, result: dict[int, Fit]) -> None:
    assert s.selection is not None
    began = time.perf_counter()
    try:
        result[id(s)] = (selecting.predict(s.selection.method, s.selection.params, s.history, h, FREQ, False).mean,
                         None)
    except Exception as exc:
        s.error = f"{type(exc).__name__}: {exc}"
    s.seconds += time.perf_counter() - began


def _bulk_call(method: str, params: str, members: list[_Series], h: int) -> dict[int, Fit]:
    """One StatsForecast call for a group of series that share a model."""
    frames, keys = [], {}
    for n, s in enumerate(members):
        frames.append(pd.DataFrame({"unique_id": n, "ds": s.history.index, "y": s.history.to_numpy(dtype=float)}))
        keys[n] = id(s)
    model = _model(method, params, members[0].history.to_numpy(dtype=float))
    engine = StatsForecast(models=[model], freq=FREQ, n_jobs=1)
    out = engine.forecast(df=pd.concat(frames), h=h, fitted=True)
    column = next(c for c in out.columns if c not in ("unique_id", "ds"))
    fitted = engine.forecast_fitted_values()  # type: ignore[no-untyped-call]
    means = {int(uid): part[column].to_numpy(dtype=float) for uid, part in out.groupby("unique_id")}
    insample = {int(uid): part[column].to_numpy(dtype=float) for uid, part in fitted.groupby("unique_id")}
    return {keys[n]: (means[n], insample.get(n)) for n in keys}


def _model(method: str, params: str, y: FloatArray) -> object:
    if method == "ets":
        return ets_model(y, SEASON, params)
    if method == "seasonal_naive":
        return SeasonalNaive(season_length=SEASON) if len(y) >= SEASON else Naive()
    if method == "naive":
        return Naive()
    if method == "tsb":
        return TSB(alpha_d=TSB_ALPHA_D, alpha_p=TSB_ALPHA_P)
    return CrostonSBA()


def _outcome(s: _Series) -> SeriesOutcome:
    job, chosen = s.job, s.selection
    seconds = s.seconds
    if s.error or chosen is None or s.mean is None:
        return SeriesOutcome(job.item_id, job.region_id, "", None, None, s.error or "no method chosen", seconds, None)
    mean = np.clip(np.asarray(s.mean, dtype=float), 0.0, None)
    y = s.history.to_numpy(dtype=float)
    band = bands(mean, chosen.calibration, DRIFT_STEPS) if chosen.calibration else None
    if band is not None:
        lower, upper, cum_lower, cum_upper = band.lower, band.upper, tuple(band.cum_lower), tuple(band.cum_upper)
    else:
        lower, upper = recent_spread(mean, y, SEASON, chosen.method)
        cum_lower = cum_upper = ()
    first = future_index(s.history.index[-1], 1, FREQ)[0].date()
    new = replace(chosen, scores={}) if s.why else None
    return SeriesOutcome(job.item_id, job.region_id, chosen.method, chosen.mase, chosen.seasonal_naive_mase, "",
                         seconds, first, tuple(mean), tuple(lower), tuple(upper), cum_lower, cum_upper,
                         chosen.params, new, s.why)
