"""Insight tests execute short forecast runs inside the test (one worker), as the forecast tests do."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _inline_runs(request, monkeypatch):
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        monkeypatch.setitem(app.config, "FORECAST_HEARTBEAT_SECONDS", 3600)
        monkeypatch.setitem(app.config, "FORECAST_WORKERS", 1)
        monkeypatch.setitem(app.config, "FORECAST_HISTORY_DAYS", 60)
        monkeypatch.setitem(app.config, "FORECAST_HORIZON_DAYS", 30)
