"""A forecast run's life: queued, executed by the scheduler process, watched, cancellable, and never lost.

A page, the API or the nightly job only *queues* a run (a row with status `queued`); the scheduler's
`forecast-queue` job claims the oldest queued run with one conditional UPDATE (so with several schedulers exactly one
executes it) and executes it in its own process. The CLI queues and executes at once, in the calling process.

While it executes, a monitor thread writes a heartbeat with the progress (phase, series done of total, estimated
finish) every few seconds, flushes the run's log lines, and reads whether someone asked to cancel; the fitting checks
that between series. A run whose heartbeat is older than FORECAST_RUN_DEAD_AFTER_SECONDS is taken for dead (its
process was killed) and marked failed, by the next queue poll or start. Failed and cancelled runs store nothing, so
the previous forecast, and the flags made from it, stay in force. At most one run is queued or running: the unique
`active` column refuses a second one, whichever process inserts it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from stockpile import audit, formats
from stockpile.db import session, transaction, utcnow
from stockpile.errors import Conflict, InvalidTransition
from stockpile.forecast import hooks
from stockpile.forecast.labels import run_status_label
from stockpile.forecast.models import (
    ACTIVE_RUN_STATES,
    RUN_TRANSITIONS,
    ForecastRun,
    RunLogLine,
    RunStatus,
    RunTrigger,
)
from stockpile.forecast.queries import get_run

log = logging.getLogger(__name__)


UNITS = {"reading": "items"}  # what a phase counts (the engine reports items while reading, series after)


class RunCancelled(Exception):
    """Raised inside a run's execution when someone asked to cancel it."""


def executor_name() -> str:
    """This process, as shown on the runs page."""
    return f"{socket.gethostname()}:{os.getpid()}"


def active_run() -> ForecastRun | None:
    """The run queued or running now, if any."""
    return session().scalar(select(ForecastRun).where(ForecastRun.status.in_(ACTIVE_RUN_STATES))
                            .execution_options(populate_existing=True))


def queue_run(trigger: RunTrigger, user_id: int | None = None) -> ForecastRun:
    """Queue a run, or raise Conflict while another is queued or running (in any process)."""
    reap_dead_runs()
    run = ForecastRun(trigger=trigger, started_by_id=user_id, status=RunStatus.QUEUED, active=1, queued_at=utcnow(),
                      horizon_days=int(current_app.config["FORECAST_HORIZON_DAYS"]))
    try:
        with session().begin_nested():
            session().add(run)
            session().flush()
    except IntegrityError:
        raise Conflict(_busy_message(active_run())) from None
    add_log(run.id, f"queued ({trigger.value})")
    audit.record(user_id, "forecast.run_start", run, trigger=trigger.value)
    return run


def _busy_message(other: ForecastRun | None) -> str:
    if other is None:
        return str(_("A forecast run is already queued or running; wait for it to finish."))
    return str(_("A forecast run is already %(status)s (run %(id)s, queued %(at)s); wait for it to finish or "
                 "cancel it.", status=run_status_label(other.status), id=other.id,
                 at=formats.datetime(other.queued_at)))


def transition(run: ForecastRun, to: RunStatus, **values: object) -> None:
    """Move a run to a new status, or raise InvalidTransition; a final status frees the one-active-run slot."""
    if to not in RUN_TRANSITIONS[run.status]:
        raise InvalidTransition(_("Run %(id)s is %(status)s and cannot become %(new)s.", id=run.id,
                                  status=run_status_label(run.status), new=run_status_label(to)))
    run.status = to
    if to not in ACTIVE_RUN_STATES:
        run.active = None
        run.finished_at = utcnow()
    for name, value in values.items():
        setattr(run, name, value)
    session().flush()
    if to is RunStatus.FAILED:
        hooks.run_failed(run)  # the alerts: the administrators hear of it


def claim_next(executor: str) -> int | None:
    """Take the oldest queued run for this process: one conditional UPDATE, so only one claimant wins."""
    run_id = session().scalar(select(ForecastRun.id).where(ForecastRun.status == RunStatus.QUEUED)
                              .order_by(ForecastRun.queued_at, ForecastRun.id).limit(1))
    if run_id is None:
        return None
    now = utcnow()
    claimed = session().execute(
        update(ForecastRun).where(ForecastRun.id == run_id, ForecastRun.status == RunStatus.QUEUED)
        .values(status=RunStatus.RUNNING, started_at=now, heartbeat_at=now, executor=executor, phase="starting")
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return None
    add_log(run_id, f"started by {executor}")
    return run_id


def request_cancel(run_id: int, user_id: int | None) -> ForecastRun:
    """Cancel a queued run at once; ask a running one to stop (its executor stops at the next series)."""
    run = get_run(run_id)
    if run.status is RunStatus.QUEUED:
        transition(run, RunStatus.CANCELLED, cancel_requested_at=utcnow(), cancel_requested_by_id=user_id,
                   phase="cancelled")
        add_log(run.id, "cancelled before it started")
    elif run.status is RunStatus.RUNNING:
        if run.cancel_requested_at is None:
            run.cancel_requested_at, run.cancel_requested_by_id = utcnow(), user_id
            add_log(run.id, "cancel requested")
    else:
        raise InvalidTransition(_("Run %(id)s is %(status)s; only a queued or running run can be cancelled.",
                                  id=run.id, status=run_status_label(run.status)))
    audit.record(user_id, "forecast.run_cancel", run)
    session().flush()
    return run


def reap_dead_runs() -> list[int]:
    """Mark failed every running run whose heartbeat stopped: its process is gone, and it holds the only slot."""
    limit = utcnow() - dt.timedelta(seconds=int(current_app.config["FORECAST_RUN_DEAD_AFTER_SECONDS"]))
    dead = session().scalars(select(ForecastRun).where(ForecastRun.status == RunStatus.RUNNING,
                                                       ForecastRun.heartbeat_at < limit)).all()
    for run in dead:
        beat = run.heartbeat_at.strftime("%H:%M:%S") if run.heartbeat_at else "?"
        transition(run, RunStatus.FAILED, phase="failed",
                   error_summary=f"no heartbeat since {beat} UTC: the process executing it ({run.executor}) stopped")
        add_log(run.id, f"marked failed: no heartbeat since {beat} UTC", "error")
    return [run.id for run in dead]


def add_log(run_id: int, message: str, level: str = "info") -> None:
    """Add a line to a run's log (in the current transaction)."""
    session().add(RunLogLine(run_id=run_id, at=utcnow(), level=level, message=message[:4000]))


@dataclass
class Progress:
    """What the executing thread reports; the monitor thread writes it with each heartbeat."""

    phase: str = "starting"
    done: int = 0
    total: int = 0
    fitting_since: dt.datetime | None = None
    lines: list[tuple[dt.datetime, str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def report(self, done: int, total: int, phase: str) -> None:
        """The progress callback: series done of total in a phase."""
        with self.lock:
            if phase != self.phase:
                self.lines.append((utcnow(), "info", f"phase {phase}: {total} {UNITS.get(phase, 'series')}"))
                if phase == "fitting":
                    self.fitting_since = utcnow()
            self.phase, self.done, self.total = phase, done, total

    def note(self, message: str, level: str = "info") -> None:
        """A line for the run's log, written with the next heartbeat."""
        with self.lock:
            self.lines.append((utcnow(), level, message))

    def estimated_finish(self, now: dt.datetime) -> dt.datetime | None:
        """From the pace of fitting so far: the time when the remaining series should be done."""
        if self.phase != "fitting" or not self.done or self.fitting_since is None:
            return None
        per_series = (now - self.fitting_since) / self.done
        return now + per_series * (self.total - self.done)


class Monitor:
    """Heartbeat, progress and cancel requests of one executing run, in a thread with its own sessions."""

    def __init__(self, app: Flask, run_id: int, interval: float) -> None:
        self.app, self.run_id, self.interval = app, run_id, interval
        self.progress = Progress()
        self.cancelled = threading.Event()
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"forecast-run-{run_id}-monitor", daemon=True)

    def should_stop(self) -> bool:
        """The stop callback: True once someone asked to cancel the run."""
        return self.cancelled.is_set()

    def __enter__(self) -> Monitor:
        self.beat()  # at once: a cancel asked before the run started stops it before any fitting
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stopped.set()
        self._thread.join(timeout=self.interval + 30)
        self.beat()  # the last lines and progress

    def _loop(self) -> None:
        while not self._stopped.wait(self.interval):
            self.beat()

    def beat(self) -> None:
        """Write the heartbeat, progress and log lines, and read whether a cancel was asked (never raises)."""
        try:
            with self.app.app_context(), transaction():
                self._write()
        except Exception:  # a missed heartbeat is retried at the next one; the reaper allows several
            log.exception("heartbeat of forecast run %s failed", self.run_id)

    def _write(self) -> None:
        now = utcnow()
        with self.progress.lock:
            phase, done, total = self.progress.phase, self.progress.done, self.progress.total
            lines, self.progress.lines = self.progress.lines, []
            finish = self.progress.estimated_finish(now)
        session().execute(
            update(ForecastRun).where(ForecastRun.id == self.run_id, ForecastRun.status == RunStatus.RUNNING)
            .values(heartbeat_at=now, phase=phase, series_done=done, series_total=total, estimated_finish_at=finish)
            .execution_options(synchronize_session=False)
        )
        for at, level, message in lines:
            session().add(RunLogLine(run_id=self.run_id, at=at, level=level, message=message[:4000]))
        asked = session().scalar(select(ForecastRun.cancel_requested_at).where(ForecastRun.id == self.run_id))
        if asked is not None:
            self.cancelled.set()


def execute(run_id: int, fit: Callable[[int, Monitor], None]) -> ForecastRun:
    """Execute a claimed run under a monitor; record it cancelled or failed (with its traceback) if it is."""
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    interval = float(app.config["FORECAST_HEARTBEAT_SECONDS"])
    outcome: tuple[RunStatus, str] | None = None
    with Monitor(app, run_id, interval) as monitor:
        try:
            fit(run_id, monitor)
        except RunCancelled as cancelled:
            outcome = (RunStatus.CANCELLED, f"cancelled on request: {cancelled}" if str(cancelled) else
                       "cancelled on request")
        except Exception as exc:
            log.exception("forecast run %s failed", run_id)
            monitor.progress.note("".join(traceback.format_exception(exc))[-4000:], "error")
            outcome = (RunStatus.FAILED, f"{type(exc).__name__}: {exc}"[:2000])
    if outcome is not None:
        _finish_unsuccessful(run_id, *outcome)
    return get_run(run_id)


def _finish_unsuccessful(run_id: int, status: RunStatus, summary: str) -> None:
    with transaction():
        run = get_run(run_id)
        session().refresh(run)
        if run.status is RunStatus.RUNNING:
            transition(run, status, phase=status.value, error_summary=summary)
        add_log(run_id, f"{status.value}: {summary}", "info" if status is RunStatus.CANCELLED else "error")
