"""Forecast tests execute runs inside the test (one worker) on short histories, so they stay fast."""

from __future__ import annotations

import datetime as dt

import pytest

from stockpile.db import LOCAL_ZONE, local_today
from stockpile.inventory import balances
from stockpile.inventory.models import MovementType, StockMovement


@pytest.fixture(autouse=True)
def _inline_runs(request, monkeypatch):
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        # The monitor thread would share the test's connection: no heartbeat during a test's short run.
        monkeypatch.setitem(app.config, "FORECAST_HEARTBEAT_SECONDS", 3600)
        monkeypatch.setitem(app.config, "FORECAST_WORKERS", 1)
        monkeypatch.setitem(app.config, "FORECAST_HISTORY_DAYS", 60)
        monkeypatch.setitem(app.config, "FORECAST_HORIZON_DAYS", 30)


def issue_on(db, lot, warehouse, quantity, days_ago):
    """An issue booked `days_ago` days back (noon, Dutch time).

    The ledger refuses updates, so the past movement is inserted with its date, its balance change through the
    same guarded function the services use.
    """
    day = local_today() - dt.timedelta(days=days_ago)
    movement = StockMovement(type=MovementType.ISSUE, lot_id=lot.id, from_warehouse_id=warehouse.id,
                             quantity=quantity, reason="demand",
                             created_at=dt.datetime.combine(day, dt.time(12), LOCAL_ZONE).astimezone(dt.UTC))
    db.add(movement)
    db.flush()
    balances.take_stock(lot, warehouse.id, quantity)
    return movement
