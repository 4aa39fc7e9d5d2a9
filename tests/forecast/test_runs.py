"""Forecast runs: flags from a run, one running at a time, a crash keeps the previous flags, a bad series."""

from __future__ import annotations

import pytest

from stockpile.db import transaction as db_transaction
from stockpile.errors import Conflict
from stockpile.forecast import queries, runner
from stockpile.forecast.engine import forecasting
from stockpile.forecast.models import FlagChange, FlagLevel, ForecastSeries, RunStatus, RunTrigger
from tests import factories
from tests.forecast.conftest import issue_on
from tests.inventory.helpers import receive


@pytest.fixture
def scarce(db):
    """An item asked ~100/day for three weeks with 600 left (critical), and one with plenty (no flag)."""
    wh = factories.warehouse()
    scarce_item = factories.item(code="FFP2-T", lead_time_days=14, safety_stock_days=7)
    plenty = factories.item(code="GLOVE-T", lead_time_days=14, safety_stock_days=7)
    for item, stock in ((scarce_item, 600 + 2100), (plenty, 100_000)):
        lot = receive(item, wh, stock).lot
        for days_ago in range(1, 22):
            issue_on(db, lot, wh, 100 if item is scarce_item else 10, days_ago)
    return scarce_item, plenty


def test_a_run_flags_the_scarce_item_and_not_the_comfortable_one(db, scarce) -> None:
    scarce_item, plenty = scarce
    run = runner.run_forecast(RunTrigger.CLI)
    assert run.status is RunStatus.SUCCEEDED
    flags = {f.item_id: f for f in queries.flags_of(run.id)}
    assert flags[scarce_item.id].level is FlagLevel.CRITICAL
    assert flags[scarce_item.id].usable_stock == 600
    assert flags[scarce_item.id].change is FlagChange.NEW
    assert flags[plenty.id].level is FlagLevel.NONE
    assert run.series_count >= 2
    assert queries.forecast_points(queries.national_series(run.id, scarce_item.id).id)


def test_second_run_is_refused_while_one_runs(db, scarce) -> None:
    first = runner.start_run(RunTrigger.MANUAL)
    with pytest.raises(Conflict, match="already running"):
        runner.start_run(RunTrigger.CLI)
    assert queries.latest_run(RunStatus.RUNNING).id == first.id


def test_crash_mid_run_records_failure_and_keeps_previous_flags(db, scarce, monkeypatch) -> None:
    good = runner.run_forecast(RunTrigger.CLI)

    def crash(run, national):
        raise RuntimeError("disk full while writing flags")

    with monkeypatch.context() as patch:
        patch.setattr(runner, "build_flags", crash)
        failed = runner.run_forecast(RunTrigger.SCHEDULED)
    assert failed.status is RunStatus.FAILED
    assert "disk full" in failed.error_summary
    assert queries.latest_run().id == good.id
    assert {f.run_id for f in queries.current_flags()} == {good.id}
    assert db.query(ForecastSeries).filter_by(run_id=failed.id).count() == 0  # nothing half-written
    assert runner.run_forecast(RunTrigger.CLI).status is RunStatus.SUCCEEDED  # the guard was released


def test_one_failing_series_does_not_stop_the_run(db, scarce, monkeypatch) -> None:
    scarce_item, plenty = scarce
    real = forecasting.forecast

    def flaky(history, horizon):
        if history.iloc[-1] == 100:  # the scarce item's series
            raise ValueError("model exploded")
        return real(history, horizon)

    monkeypatch.setattr(forecasting, "forecast", flaky)
    run = runner.run_forecast(RunTrigger.CLI)
    assert run.status is RunStatus.SUCCEEDED
    assert run.failed_series == 1
    broken = queries.national_series(run.id, scarce_item.id)
    assert "model exploded" in broken.error
    assert {f.item_id for f in queries.flags_of(run.id)} >= {plenty.id}
    assert scarce_item.id not in {f.item_id for f in queries.flags_of(run.id)}  # no earlier flag to keep


def test_a_flagged_item_whose_series_fails_keeps_its_previous_flag(db, scarce, monkeypatch) -> None:
    scarce_item, _plenty = scarce
    first = runner.run_forecast(RunTrigger.CLI)
    real = forecasting.forecast

    def flaky(history, horizon):
        if history.iloc[-1] == 100:
            raise ValueError("model exploded")
        return real(history, horizon)

    monkeypatch.setattr(forecasting, "forecast", flaky)
    second = runner.run_forecast(RunTrigger.CLI)
    kept = next(f for f in queries.flags_of(second.id) if f.item_id == scarce_item.id)
    was = next(f for f in queries.flags_of(first.id) if f.item_id == scarce_item.id)
    assert (kept.level, kept.stockout_pessimistic, kept.change) == (FlagLevel.CRITICAL, was.stockout_pessimistic,
                                                                     FlagChange.UNCHANGED)


def test_second_run_compares_with_the_first(db, scarce) -> None:
    scarce_item, _plenty = scarce
    runner.run_forecast(RunTrigger.CLI)
    second = runner.run_forecast(RunTrigger.CLI)
    flag = next(f for f in queries.flags_of(second.id) if f.item_id == scarce_item.id)
    assert flag.change is FlagChange.UNCHANGED
    assert flag.previous_level is FlagLevel.CRITICAL


def test_continuity_dashboard_shows_the_flags_in_force(db, scarce, as_role) -> None:
    scarce_item, plenty = scarce
    assert "No item is flagged, or no forecast has run yet." in as_role("continuity").get("/").text
    runner.run_forecast(RunTrigger.CLI)
    page = as_role("continuity").get("/").text
    assert "Scarcity flags in force" in page
    assert f"<th>{scarce_item.code}</th>" in page
    assert f"<th>{plenty.code}</th>" not in page
    assert "Scarcity flags in force" not in as_role("region").get("/").text


def test_forecast_run_if_none_runs_only_once(db, scarce, runner_cli) -> None:
    first = runner_cli.invoke(args=["forecast", "run", "--if-none", "--workers", "1"])
    assert first.exit_code == 0, first.output
    assert "succeeded" in first.output
    again = runner_cli.invoke(args=["forecast", "run", "--if-none"])
    assert "already succeeded; nothing to do" in again.output


@pytest.fixture
def runner_cli(app):
    return app.test_cli_runner()


def test_starting_a_run_is_audited_with_who_started_it(db, users) -> None:
    from sqlalchemy import select

    from stockpile.audit import AuditEvent

    run = runner.start_run(RunTrigger.MANUAL, users["continuity"].id)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "forecast.run_start"))
    assert (event.actor_id, event.object_id, event.details["trigger"]) == (users["continuity"].id, run.id, "manual")


def test_a_run_reports_reading_fitting_and_writing_to_its_progress_hook(db, scarce) -> None:
    seen = []
    with db_transaction():
        run_id = runner.start_run(RunTrigger.CLI).id
    run = runner.execute_run(run_id, progress=lambda done, total, phase: seen.append((done, total, phase)))
    assert run.status is RunStatus.SUCCEEDED
    assert list(dict.fromkeys(p for _d, _t, p in seen)) == ["reading", "fitting", "writing"]
    fitted = [(d, t) for d, t, p in seen if p == "fitting"]
    assert fitted[-1] == (run.series_count, run.series_count)


def test_a_run_stopped_while_fitting_writes_nothing_and_keeps_the_previous_flags(db, scarce) -> None:
    good = runner.run_forecast(RunTrigger.CLI)
    with db_transaction():
        run_id = runner.start_run(RunTrigger.CLI).id
    stopped = runner.execute_run(run_id, should_stop=lambda: True)
    assert stopped.status is RunStatus.FAILED
    assert "stopped on request" in stopped.error_summary
    assert db.query(ForecastSeries).filter_by(run_id=stopped.id).count() == 0
    assert {f.run_id for f in queries.current_flags()} == {good.id}
