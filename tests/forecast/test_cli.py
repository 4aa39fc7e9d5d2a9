"""`stockpile forecast run` and `stockpile forecast backtest` on a small history."""

from __future__ import annotations

from stockpile.forecast import queries, runs
from stockpile.forecast.models import RunStatus, RunTrigger
from tests import factories
from tests.forecast.conftest import issue_on
from tests.inventory.helpers import receive


def _history(db):
    wh = factories.warehouse()
    item = factories.item(code="MASK-CLI")
    lot = receive(item, wh, 5000).lot
    for days_ago in range(1, 40):
        issue_on(db, lot, wh, 40 + (days_ago % 7) * 5, days_ago)
    return item


def test_forecast_run_command_and_refusal_while_running(runner, db) -> None:
    _history(db)
    result = runner.invoke(args=["forecast", "run", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "succeeded" in result.output
    assert queries.latest_run().status is RunStatus.SUCCEEDED
    runs.queue_run(RunTrigger.SCHEDULED)
    refused = runner.invoke(args=["forecast", "run"])
    assert refused.exit_code != 0
    assert "already queued" in refused.output


def test_backtest_command_prints_chosen_beside_seasonal_naive(runner, db) -> None:
    _history(db)
    result = runner.invoke(args=["forecast", "backtest", "--horizon", "7"])
    assert result.exit_code == 0, result.output
    line = next(row for row in result.output.splitlines() if row.startswith("MASK-CLI"))
    assert len(line.split()) == 4
    assert "seasonal naive" in result.output.splitlines()[0]
