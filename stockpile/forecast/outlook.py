"""An item's outlook for pages and the API: history, stored forecast, projection (with a what-if factor), flag."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from flask import Response, after_this_request, current_app
from flask_babel import gettext as _

from stockpile.db import local_today, session
from stockpile.errors import NotFound
from stockpile.forecast import queries, runner
from stockpile.forecast.demand import demand_history
from stockpile.forecast.flags import level_for
from stockpile.forecast.models import FlagLevel, ForecastPoint, ForecastRun, ForecastSeries, RunTrigger, ScarcityFlag
from stockpile.forecast.projection import Projection, project_stock
from stockpile.reference.models import Item

HISTORY_SHOWN_DAYS = 120


@dataclass(frozen=True)
class Outlook:
    """What the item page and the projection endpoint show."""

    item: Item
    run: ForecastRun | None
    series: ForecastSeries | None
    points: Sequence[ForecastPoint]
    projection: Projection | None
    level: FlagLevel
    factor: float
    flag: ScarcityFlag | None
    history: pd.Series


def item_outlook(item_id: int, factor: float = 1.0) -> Outlook:
    """An item's outlook from the latest succeeded run, its demand scaled by `factor` without refitting."""
    item = session().get(Item, item_id)
    if item is None:
        raise NotFound(_("No such item."))
    run = queries.latest_run()
    series = queries.national_series(run.id, item.id) if run else None
    points = queries.forecast_points(series.id) if series else []
    data = queries.projection_input(item, points).scaled(factor) if points else None
    projection = project_stock(data) if data is not None and data.yhat else None
    level = level_for(projection, item.lead_time_days, item.safety_stock_days) if projection else FlagLevel.NONE
    flag = next((f for f in queries.flags_of(run.id) if f.item_id == item.id), None) if run else None
    until = local_today() - dt.timedelta(days=1)
    history = demand_history([item.id], until - dt.timedelta(days=HISTORY_SHOWN_DAYS - 1), until)[(item.id, None)]
    return Outlook(item, run, series, points, projection, level, factor, flag, history)


def launch_run(user_id: int) -> ForecastRun:
    """Start a run for a person; it executes in its own process once this request has committed."""
    run = runner.start_run(RunTrigger.MANUAL, user_id)
    if current_app.config["FORECAST_RUN_INLINE"]:
        return runner.execute_run(run.id)
    url, run_id = current_app.config["DATABASE_URL"], run.id

    @after_this_request
    def spawn_after_commit(response: Response) -> Response:
        # call_on_close runs after the request boundary has committed the run row the process will read.
        response.call_on_close(lambda: _spawn(url, run_id))
        return response

    return run


def _spawn(url: str, run_id: int) -> None:
    code = "from stockpile.cli import main; main()"
    env = {**_environ(), "STOCKPILE_DATABASE_URL": url}
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", code, "forecast", "run", "--run-id", str(run_id)],
        env=env, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    # Reap it when it ends, so a long-lived web worker collects no zombie processes.
    threading.Thread(target=process.wait, name=f"forecast-run-{run_id}", daemon=True).start()


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)
