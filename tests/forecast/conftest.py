"""Forecast tests run a run inside the test (one worker, inline) on short histories, so they stay fast."""

from __future__ import annotations

import datetime as dt

import pytest

from stockpile.db import LOCAL_ZONE, local_today
from stockpile.inventory import services


@pytest.fixture(autouse=True)
def _inline_runs(request, monkeypatch):
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        monkeypatch.setitem(app.config, "FORECAST_RUN_INLINE", True)
        monkeypatch.setitem(app.config, "FORECAST_WORKERS", 1)
        monkeypatch.setitem(app.config, "FORECAST_HISTORY_DAYS", 60)
        monkeypatch.setitem(app.config, "FORECAST_HORIZON_DAYS", 30)


def issue_on(db, lot, warehouse, quantity, days_ago):
    """Issue units and date the movement `days_ago` days back (noon, Dutch time)."""
    movement = services.issue(lot_id=lot.id, warehouse_id=warehouse.id, quantity=quantity, reason="demand",
                              user_id=None)
    day = local_today() - dt.timedelta(days=days_ago)
    movement.created_at = dt.datetime.combine(day, dt.time(12), LOCAL_ZONE).astimezone(dt.UTC)
    db.flush()
    return movement
