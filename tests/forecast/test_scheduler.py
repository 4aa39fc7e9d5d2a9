"""The scheduler: its job list, and exactly-once runs across processes through the database lease."""

from __future__ import annotations

import multiprocessing
import time
import uuid

import pytest
from sqlalchemy import func, select

from stockpile import audit, create_app
from stockpile.app import Flask
from stockpile.audit import AuditEvent
from stockpile.db import session, transaction
from stockpile.ops import migrate
from stockpile.ops.scheduler import JOBS, Job, build_scheduler, run_once
from tests.conftest import TEST_CONFIG
from tests.databases import backends, fresh_database

ACTION = "test.lease_job"


def _count_once() -> str:
    with transaction():
        audit.record(None, ACTION, None)
    time.sleep(0.5)  # hold the lease while the other process tries
    return "counted"


def _compete(url: str, job_id: str, holder: str, start_at: float) -> None:
    """A scheduler process: wait for the common start, then try to run the job for the same firing."""
    app = create_app({**TEST_CONFIG, "DATABASE_URL": url})
    time.sleep(max(0.0, start_at - time.time()))
    with app.app_context():
        ran = run_once(Job(job_id, "FORECAST_CRON", _count_once), "2026-11-30T01:00", holder)
    app.extensions["stockpile.engine"].dispose()
    raise SystemExit(0 if ran else 3)


@pytest.mark.parametrize("kind", backends())
def test_two_scheduler_processes_run_a_firing_once(kind, tmp_path) -> None:
    with fresh_database(kind, tmp_path) as url:
        migrate.upgrade(url)
        _two_processes_one_firing(url)


def _two_processes_one_firing(database_url: str) -> None:
    job_id = f"test-{uuid.uuid4().hex[:8]}"
    context = multiprocessing.get_context("spawn")
    start_at = time.time() + 4  # both try at about the same time (a late one must still skip)
    processes = [context.Process(target=_compete, args=(database_url, job_id, f"host{n}", start_at))
                 for n in (1, 2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url})
    with app.app_context():
        try:
            assert sorted(p.exitcode for p in processes) == [0, 3]
            assert session().scalar(select(func.count()).where(AuditEvent.action == ACTION)) == 1
            # the same firing never runs again, even with the lease released; the next firing does
            assert not run_once(Job(job_id, "FORECAST_CRON", _count_once), "2026-11-30T01:00", "late-host")
            assert run_once(Job(job_id, "FORECAST_CRON", _count_once), "2026-12-01T01:00", "late-host")
        finally:
            app.extensions["stockpile.engine"].dispose()


def test_job_list_has_stable_ids_and_cron_times(app: Flask) -> None:
    scheduler = build_scheduler(app)
    assert [job.id for job in scheduler.get_jobs()] == [job.id for job in JOBS] == [
        "forecast-nightly", "forecast-queue", "flags-reconcile", "expiry-daily", "mail-outbox", "mail-digest",
        "deliveries-overdue"]
    nightly = scheduler.get_job("forecast-nightly")
    assert "hour='2'" in str(nightly.trigger)
    assert str(nightly.trigger.timezone) == "Europe/Amsterdam"


def test_interval_jobs_fire_on_a_grid_every_host_shares(app: Flask) -> None:
    import datetime as dt

    from stockpile.ops.scheduler import fire_key

    queue = build_scheduler(app).get_job("forecast-queue")
    assert queue.trigger.interval.total_seconds() == app.config["FORECAST_QUEUE_POLL_SECONDS"] == 10
    at = dt.datetime(2026, 12, 3, 10, 0, 7, tzinfo=dt.UTC)
    # two hosts firing a little apart within the same 10 seconds share the firing; the next 10 seconds do not
    assert fire_key(queue.trigger, at) == fire_key(queue.trigger, at + dt.timedelta(seconds=2)) == "2026-12-03T10:00:00"
    assert fire_key(queue.trigger, at + dt.timedelta(seconds=5)) == "2026-12-03T10:00:10"
