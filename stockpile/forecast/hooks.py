"""Where other domains hear of flag changes and failed runs without forecasting depending on them.

The alerts register here, once per app, in `alerts.init_app`: a new or worsened flag and a failed run tell the
people who must act. The hooks live in the app (`app.extensions`) and run in the same transaction as the change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from flask import Flask, current_app

from stockpile.forecast.models import FlagEvent, ForecastRun

FlagHook = Callable[[Sequence[FlagEvent]], object]
RunHook = Callable[[ForecastRun], None]
_KEY = "stockpile.forecast_hooks"


@dataclass
class ForecastHooks:
    """What one app's other domains asked forecasting to call."""

    flag_events: list[FlagHook] = field(default_factory=list)
    run_failed: list[RunHook] = field(default_factory=list)


def _of(app: Flask) -> ForecastHooks:
    hooks: ForecastHooks = app.extensions.setdefault(_KEY, ForecastHooks())
    return hooks


def on_flag_events(app: Flask, hook: FlagHook) -> None:
    """Call `hook(events)` with the flag history lines each recording writes (flushed, so they have ids)."""
    _of(app).flag_events.append(hook)


def on_run_failed(app: Flask, hook: RunHook) -> None:
    """Call `hook(run)` whenever a forecast run becomes failed (an error, or its process died)."""
    _of(app).run_failed.append(hook)


def flag_events_recorded(events: Sequence[FlagEvent]) -> None:
    """Run the registered hooks for the history lines just recorded."""
    if events:
        for hook in _of(current_app).flag_events:
            hook(events)


def run_failed(run: ForecastRun) -> None:
    """Run the registered hooks for a run that failed."""
    for hook in _of(current_app).run_failed:
        hook(run)
