"""`stockpile forecast run` and `stockpile forecast backtest`."""

from __future__ import annotations

import datetime as dt

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from stockpile.db import local_today, session
from stockpile.errors import DomainError, fail_on_domain_error
from stockpile.forecast import queries
from stockpile.forecast.demand import demand_history
from stockpile.forecast.models import RunStatus, RunTrigger
from stockpile.reference.models import Item


@click.group("forecast")
def forecast_group() -> None:
    """Demand forecasts and scarcity flags."""


@forecast_group.command("run")
@click.option("--workers", type=int, default=None, help="Worker processes (default: one per core).")
@click.option("--if-none", is_flag=True, help="Only when no run has succeeded yet (used by `make run`).")
@with_appcontext
def run_command(workers: int | None, if_none: bool) -> None:
    """Forecast every item and record the flags, in this process; refused while another run is queued or running."""
    if if_none and queries.latest_run() is not None:
        click.echo("A forecast run has already succeeded; nothing to do.")
        return
    # The engine (pandas, statsforecast, Prophet) is imported when a command needs it: create_app registers these
    # commands, and the web app must start without it.
    from stockpile.forecast import runner

    try:
        run = runner.run_forecast(RunTrigger.CLI, workers=workers)
    except DomainError as error:
        raise fail_on_domain_error(error) from error
    click.echo(f"Run {run.id} {run.status.value}: {run.series_count} series, {run.failed_series} failed, "
               f"{run.seconds or 0:.1f} s.")
    if run.status is not RunStatus.SUCCEEDED:
        raise click.ClickException(run.error_summary or run.status.value)


@forecast_group.command("backtest")
@click.option("--horizon", type=int, default=28, show_default=True, help="Days ahead scored per cut-off.")
@click.option("--folds", type=int, default=3, show_default=True, help="Rolling-origin cut-offs.")
@with_appcontext
def backtest_command(horizon: int, folds: int) -> None:
    """Per item: rolling-origin MASE of the method the engine would choose beside seasonal naive."""
    until = local_today() - dt.timedelta(days=1)
    since = until - dt.timedelta(days=int(current_app.config["FORECAST_HISTORY_DAYS"]) - 1)
    items = {i.id: i.code for i in session().scalars(select(Item).where(Item.active.is_(True)))}
    histories = demand_history(list(items), since, until)
    click.echo(f"{'item':<14} {'chosen':<15} {'MASE':>7} {'seasonal naive':>15}")
    for (item_id, region_id), history in sorted(histories.items(), key=lambda kv: items[kv[0][0]]):
        if region_id is not None:
            continue
        click.echo(_backtest_line(items[item_id], history, horizon, folds))


def _backtest_line(code: str, history: object, horizon: int, folds: int) -> str:
    """One table row; the chosen method is the engine's pick on the whole history."""
    import pandas as pd

    from stockpile.forecast.engine import forecasting

    assert isinstance(history, pd.Series)
    scores = forecasting.backtest(history, horizon, folds)
    chosen = str(forecasting.forecast(history, horizon)["method"].iloc[0])
    mase = scores.get(chosen)
    naive = scores.get("seasonal_naive")
    return f"{code:<14} {chosen:<15} {_fmt(mase):>7} {_fmt(naive):>15}"


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


commands = [forecast_group]
