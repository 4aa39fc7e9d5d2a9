"""The production path: a page queues a run, the `stockpile scheduler` process executes it with heartbeats and a
log; when that process is killed mid-run, the next scheduler marks the run failed and executes the next one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from stockpile import create_app
from stockpile.auth.models import Role
from stockpile.db import session, transaction
from stockpile.forecast import queries
from stockpile.forecast.models import ForecastRun, RunStatus
from stockpile.ops import migrate
from tests import factories
from tests.conftest import TEST_CONFIG, sign_in
from tests.forecast.conftest import issue_on
from tests.inventory.helpers import receive

FAST = {"FORECAST_QUEUE_POLL_SECONDS": 1, "FORECAST_HEARTBEAT_SECONDS": 1, "FORECAST_RUN_DEAD_AFTER_SECONDS": 4,
        "FORECAST_WORKERS": 1, "FORECAST_HISTORY_DAYS": 60, "FORECAST_HORIZON_DAYS": 30,
        "FLAGS_RECONCILE_SECONDS": 3600,
        # Every run selects its methods again (a backtest), so a run lasts long enough to be killed mid-fit: a
        # nightly refit of six short series now ends in a second or two.
        "FORECAST_SELECTION_MAX_AGE_DAYS": 0}


def start_scheduler(url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "STOCKPILE_DATABASE_URL": url, **{f"STOCKPILE_{k}": str(v) for k, v in FAST.items()}}
    with log.open("wb") as output:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([sys.executable, "-c", "from stockpile.cli import main; main()", "scheduler"],
                                env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    process.wait(30)


def wait_for(run_id: int, done, timeout: float) -> ForecastRun:
    """Poll the run until `done(run)`; the run comes back detached, read in a transaction already ended."""
    deadline = time.monotonic() + timeout
    while True:
        run = session().scalar(select(ForecastRun).where(ForecastRun.id == run_id)
                               .execution_options(populate_existing=True))
        finished = done(run) or time.monotonic() > deadline
        session().expunge(run)
        # End the read: on SQLite every transaction takes the write lock, and the scheduler must write.
        session().rollback()
        if finished:
            return run
        time.sleep(0.5)


@pytest.mark.slow
def test_the_scheduler_executes_a_queued_run_and_a_killed_run_is_marked_failed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    migrate.upgrade(url)
    app = create_app({**TEST_CONFIG, "DATABASE_URL": url, **FAST})
    scheduler = start_scheduler(url, tmp_path / "scheduler-1.log")
    try:
        with app.app_context():
            with transaction() as db:
                wh = factories.warehouse()
                for n in range(6):
                    lot = receive(factories.item(code=f"RUN-{n}"), wh, 50_000).lot
                    for days_ago in range(1, 45):
                        issue_on(db, lot, wh, 20 + (days_ago * 7 + n) % 13, days_ago)
                user = factories.user(Role.CONTINUITY)
            client = sign_in(app.test_client(), user)
            assert client.post("/forecast/runs/start").status_code == 302
            first = session().scalar(select(ForecastRun.id))
            session().rollback()

            run = wait_for(first, lambda r: r.status in (RunStatus.SUCCEEDED, RunStatus.FAILED), 180)
            assert run.status is RunStatus.SUCCEEDED, (tmp_path / "scheduler-1.log").read_text()[-3000:]
            assert run.executor.endswith(f":{scheduler.pid}")
            messages = [line.message for line in queries.log_of(run.id)]
            assert messages[0] == "queued (manual)"
            assert messages[1].startswith("started by")
            assert "phase fitting: 6 series" in messages
            assert messages[-1].startswith("succeeded")
            session().rollback()

            # Kill the scheduler while it fits the next run: no process, no heartbeat.
            assert client.post("/forecast/runs/start").status_code == 302
            second = session().scalar(select(ForecastRun.id).order_by(ForecastRun.id.desc()))
            session().rollback()
            running = wait_for(second, lambda r: r.status is not RunStatus.QUEUED, 60)
            assert running.status is RunStatus.RUNNING
            stop(scheduler, signal.SIGKILL)
            killed_at = time.monotonic()

            scheduler = start_scheduler(url, tmp_path / "scheduler-2.log")
            dead = wait_for(second, lambda r: r.status is RunStatus.FAILED, 60)
            assert dead.status is RunStatus.FAILED
            assert "no heartbeat since" in dead.error_summary
            assert time.monotonic() - killed_at < 30  # within seconds here (4 s allowed), not 180 minutes
            assert queries.latest_run().id == first  # the failed run changed nothing
            session().rollback()
            assert client.post("/forecast/runs/start").status_code == 302  # the slot is free again
    finally:
        stop(scheduler)
        app.extensions["stockpile.engine"].dispose()
