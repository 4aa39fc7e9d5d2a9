"""Runs and selections: the first run chooses a method for every series and stores it; the next refits only; a
selection older than the setting is chosen again; the points carry the calibrated band of cumulative demand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from sqlalchemy import func, select, update

from stockpile.db import local_today, utcnow
from stockpile.forecast import runner
from stockpile.forecast.models import ForecastPoint, ForecastSelection, ForecastSeries, RunTrigger
from stockpile.forecast.outlook import item_outlook
from stockpile.forecast.spread import spread_from_cumulative_bands, spread_from_daily_bands
from tests import factories
from tests.forecast.conftest import issue_on
from tests.inventory.helpers import receive


@pytest.fixture
def varied(db):
    """An item issued on 50 of the last 55 days in a weekly pattern, with noise."""
    wh = factories.warehouse()
    item = factories.item(code="MASK-V", lead_time_days=14, safety_stock_days=7)
    lot = receive(item, wh, 50_000).lot
    rng = np.random.default_rng(5)
    for days_ago in range(1, 56):
        weekday = (dt.date.today() - dt.timedelta(days=days_ago)).weekday()
        issue_on(db, lot, wh, int(rng.poisson(60 if weekday < 5 else 20)) + 1, days_ago)
    return item


def _selections(db, run_id=None):
    query = select(ForecastSelection).order_by(ForecastSelection.id)
    if run_id is not None:
        query = query.where(ForecastSelection.run_id == run_id)
    return db.scalars(query).all()


def test_the_first_run_selects_every_series_and_the_next_only_refits(db, varied) -> None:
    first = runner.run_forecast(RunTrigger.CLI)
    chosen = _selections(db, first.id)
    assert len(chosen) == first.series_count == 1
    assert chosen[0].why == "new"
    assert chosen[0].mase is not None
    assert chosen[0].mase <= chosen[0].seasonal_naive_mase
    second = runner.run_forecast(RunTrigger.CLI)
    assert _selections(db, second.id) == []
    methods = db.scalars(select(ForecastSeries.method).order_by(ForecastSeries.id)).all()
    assert methods == [chosen[0].method] * 2


def test_a_selection_older_than_the_setting_is_chosen_again(db, varied, app) -> None:
    runner.run_forecast(RunTrigger.CLI)
    age = int(app.config["FORECAST_SELECTION_MAX_AGE_DAYS"])
    db.execute(update(ForecastSelection).values(chosen_at=utcnow() - dt.timedelta(days=age + 1)))
    again = runner.run_forecast(RunTrigger.CLI)
    assert [s.why for s in _selections(db, again.id)] == ["weekly"]


def test_the_points_carry_the_calibrated_band_of_cumulative_demand(db, varied) -> None:
    run = runner.run_forecast(RunTrigger.CLI)
    series_id = db.scalar(select(ForecastSeries.id).where(ForecastSeries.run_id == run.id))
    points = db.scalars(select(ForecastPoint).where(ForecastPoint.series_id == series_id)
                        .order_by(ForecastPoint.day)).all()
    assert len(points) == run.horizon_days
    total = np.cumsum([p.yhat for p in points])
    assert all(p.cum_lower is not None and p.cum_upper is not None for p in points)
    assert all(p.cum_lower <= t + 1e-6 <= p.cum_upper + 2e-6 for p, t in zip(points, total, strict=True))
    assert db.scalar(select(func.count()).select_from(ForecastPoint)) == run.horizon_days


def test_the_outlook_takes_its_spread_from_the_cumulative_band(db, varied) -> None:
    run = runner.run_forecast(RunTrigger.CLI)
    series_id = db.scalar(select(ForecastSeries.id).where(ForecastSeries.run_id == run.id))
    points = db.scalars(select(ForecastPoint).where(ForecastPoint.series_id == series_id)
                        .order_by(ForecastPoint.day)).all()
    assert points[0].day == local_today()
    expected = spread_from_cumulative_bands([p.yhat for p in points], [p.cum_lower for p in points],
                                            [p.cum_upper for p in points])
    spread = item_outlook(varied.id).forecast.spread
    assert spread.below == pytest.approx(expected.below)
    assert spread.above == pytest.approx(expected.above)
    assert spread != spread_from_daily_bands([p.yhat for p in points], [p.yhat_lower for p in points],
                                             [p.yhat_upper for p in points])
