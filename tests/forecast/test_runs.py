"""Forecast runs: the flags a run records, one active run at a time, cancel, a dead run, failures that keep the
previous forecast in force, and a bad series."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from stockpile.audit import AuditEvent
from stockpile.db import utcnow
from stockpile.errors import Conflict, InvalidTransition
from stockpile.forecast import queries, runner, runs
from stockpile.forecast.engine import bulk
from stockpile.forecast.models import FlagEventKind, FlagLevel, ForecastSeries, RunStatus, RunTrigger
from stockpile.forecast.outlook import item_outlook
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


def kinds(item_id: int) -> list[FlagEventKind]:
    return [event.kind for event in reversed(queries.flag_history(item_id))]


def test_a_run_flags_the_scarce_item_and_records_it_in_the_history(db, scarce) -> None:
    scarce_item, plenty = scarce
    run = runner.run_forecast(RunTrigger.CLI)
    assert run.status is RunStatus.SUCCEEDED
    outlook = item_outlook(scarce_item.id)
    assert (outlook.level, outlook.usable, outlook.forecast.run_id) == (FlagLevel.CRITICAL, 600, run.id)
    assert item_outlook(plenty.id).level is FlagLevel.NONE
    event = queries.flag_history(scarce_item.id)[0]
    assert (event.kind, event.cause, event.run_id) == (FlagEventKind.NEW, f"run {run.id}", run.id)
    assert queries.flag_history(plenty.id) == []
    assert run.series_count >= 2
    assert any("succeeded" in line.message for line in queries.log_of(run.id))


def test_a_second_run_with_the_same_outlook_records_no_change(db, scarce) -> None:
    scarce_item, _plenty = scarce
    runner.run_forecast(RunTrigger.CLI)
    runner.run_forecast(RunTrigger.CLI)
    assert kinds(scarce_item.id) == [FlagEventKind.NEW]


def test_one_run_queued_or_running_at_a_time(db) -> None:
    queued = runs.queue_run(RunTrigger.MANUAL)
    with pytest.raises(Conflict, match="already queued"):
        runs.queue_run(RunTrigger.CLI)
    assert runs.claim_next("host:1") == queued.id
    assert runs.claim_next("host:2") is None
    with pytest.raises(Conflict, match="already running"):
        runs.queue_run(RunTrigger.CLI)


def test_a_queued_run_is_cancelled_at_once_and_frees_the_slot(db, users) -> None:
    queued = runs.queue_run(RunTrigger.MANUAL)
    cancelled = runs.request_cancel(queued.id, users["continuity"].id)
    assert (cancelled.status, cancelled.active) == (RunStatus.CANCELLED, None)
    assert runs.claim_next("host:1") is None
    runs.queue_run(RunTrigger.MANUAL)  # the slot is free again
    with pytest.raises(InvalidTransition):
        runs.request_cancel(queued.id, users["continuity"].id)


def test_a_running_run_stops_when_cancelled_and_the_previous_forecast_stays(db, scarce, users) -> None:
    scarce_item, _plenty = scarce
    good = runner.run_forecast(RunTrigger.CLI)
    run = runs.queue_run(RunTrigger.MANUAL, users["continuity"].id)
    assert runs.claim_next("host:1") == run.id
    runs.request_cancel(run.id, users["continuity"].id)
    assert queries.get_run(run.id).status is RunStatus.RUNNING  # it stops at the next series
    ended = runner.execute_run(run.id, workers=1)
    assert ended.status is RunStatus.CANCELLED
    assert db.scalars(select(ForecastSeries).where(ForecastSeries.run_id == run.id)).all() == []
    assert item_outlook(scarce_item.id).forecast.run_id == good.id
    assert any("cancelled" in line.message for line in queries.log_of(run.id))


def test_a_run_without_heartbeat_is_marked_failed_and_frees_the_slot(db, app) -> None:
    run = runs.queue_run(RunTrigger.MANUAL)
    runs.claim_next("host:1")
    dead_after = app.config["FORECAST_RUN_DEAD_AFTER_SECONDS"]
    run.heartbeat_at = utcnow() - dt.timedelta(seconds=dead_after - 5)
    db.flush()
    assert runs.reap_dead_runs() == []
    run.heartbeat_at = utcnow() - dt.timedelta(seconds=dead_after + 5)
    db.flush()
    assert runs.reap_dead_runs() == [run.id]
    assert (run.status, run.active) == (RunStatus.FAILED, None)
    assert "no heartbeat since" in run.error_summary
    assert runs.queue_run(RunTrigger.MANUAL).status is RunStatus.QUEUED


def test_a_crash_records_the_failure_with_its_traceback_and_keeps_the_previous_forecast(db, scarce, monkeypatch):
    scarce_item, _plenty = scarce
    good = runner.run_forecast(RunTrigger.CLI)

    def crash(run, outcomes, progress=None):
        raise RuntimeError("disk full while writing forecasts")

    with monkeypatch.context() as patch:
        patch.setattr(runner, "store_results", crash)
        failed = runner.run_forecast(RunTrigger.SCHEDULED)
    assert failed.status is RunStatus.FAILED
    assert "disk full" in failed.error_summary
    assert any("Traceback" in line.message and line.level == "error" for line in queries.log_of(failed.id))
    assert queries.latest_run().id == good.id
    assert item_outlook(scarce_item.id).forecast.run_id == good.id
    assert db.query(ForecastSeries).filter_by(run_id=failed.id).count() == 0  # nothing half-written
    assert runner.run_forecast(RunTrigger.CLI).status is RunStatus.SUCCEEDED  # the slot was released


def _failing_for_scarce(monkeypatch):
    real = bulk.history_of

    def flaky(job):
        if job.values[-1] == 100:  # the scarce item's series
            raise ValueError("model exploded")
        return real(job)

    monkeypatch.setattr(bulk, "history_of", flaky)


def test_one_failing_series_does_not_stop_the_run(db, scarce, monkeypatch) -> None:
    scarce_item, plenty = scarce
    _failing_for_scarce(monkeypatch)
    run = runner.run_forecast(RunTrigger.CLI)
    assert (run.status, run.failed_series) == (RunStatus.SUCCEEDED, 1)
    assert "model exploded" in queries.national_series(run.id, scarce_item.id).error
    assert any("model exploded" in line.message for line in queries.log_of(run.id))
    assert item_outlook(plenty.id).forecast.run_id == run.id
    assert item_outlook(scarce_item.id).forecast is None  # no earlier forecast to keep


def test_a_flagged_item_whose_series_fails_keeps_its_previous_forecast_and_flag(db, scarce, monkeypatch) -> None:
    scarce_item, _plenty = scarce
    first = runner.run_forecast(RunTrigger.CLI)
    _failing_for_scarce(monkeypatch)
    runner.run_forecast(RunTrigger.CLI)
    outlook = item_outlook(scarce_item.id)
    assert (outlook.level, outlook.forecast.run_id) == (FlagLevel.CRITICAL, first.id)
    assert kinds(scarce_item.id) == [FlagEventKind.NEW]


def test_continuity_dashboard_shows_the_flags_in_force(db, scarce, as_role) -> None:
    scarce_item, plenty = scarce
    assert "No item is flagged, or no forecast has run yet." in as_role("continuity").get("/").text
    runner.run_forecast(RunTrigger.CLI)
    page = as_role("continuity").get("/").text
    assert "Scarcity flags in force" in page
    assert f"<th>{scarce_item.code}</th>" in page
    assert f"<th>{plenty.code}</th>" not in page
    assert "Scarcity flags in force" not in as_role("region").get("/").text


def test_forecast_run_if_none_runs_only_once(db, scarce, app) -> None:
    cli = app.test_cli_runner()
    first = cli.invoke(args=["forecast", "run", "--if-none", "--workers", "1"])
    assert first.exit_code == 0, first.output
    assert "succeeded" in first.output
    again = cli.invoke(args=["forecast", "run", "--if-none"])
    assert "already succeeded; nothing to do" in again.output


def test_queueing_a_run_is_audited_with_who_queued_it(db, users) -> None:
    run = runs.queue_run(RunTrigger.MANUAL, users["continuity"].id)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "forecast.run_start"))
    assert (event.actor_id, event.object_id, event.details["trigger"]) == (users["continuity"].id, run.id, "manual")


def test_progress_estimates_the_finish_from_the_pace_of_fitting() -> None:
    progress = runs.Progress()
    progress.report(0, 100, "fitting")
    progress.fitting_since = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.UTC)
    progress.report(25, 100, "fitting")
    # 25 series in 10 minutes: the other 75 take 30 more
    now = dt.datetime(2026, 12, 1, 10, 10, tzinfo=dt.UTC)
    assert progress.estimated_finish(now) == dt.datetime(2026, 12, 1, 10, 40, tzinfo=dt.UTC)
    assert [line[2] for line in progress.lines] == ["phase fitting: 100 series"]


def test_a_run_reports_reading_fitting_and_writing_in_its_log(db, scarce) -> None:
    run = runner.run_forecast(RunTrigger.CLI)
    messages = [line.message for line in queries.log_of(run.id)]
    phases = [m for m in messages if m.startswith("phase ")]
    assert phases == ["phase reading: 2 items", f"phase fitting: {run.series_count} series",
                      f"phase writing: {run.series_count} series"]
