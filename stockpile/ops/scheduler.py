"""The periodic jobs (stable ids) and the `stockpile scheduler` process that runs them.

Jobs are declared here in code, so the scheduler keeps them in memory (no job store table). Any number of
scheduler processes may run, on any hosts: each firing first takes a database lease named after the job and
keyed by the scheduled time, so exactly one process runs it and the others skip. Jobs run either at cron times
(a config key holding a crontab line) or every so many seconds (a config key holding the interval).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask, current_app
from flask.cli import with_appcontext

from stockpile.alerts import mail
from stockpile.alerts.triggers import notify_overdue_deliveries
from stockpile.db import LOCAL_ZONE, transaction
from stockpile.errors import Conflict
from stockpile.forecast.flag_history import record
from stockpile.forecast.models import RunTrigger
from stockpile.forecast.outlook import outlooks
from stockpile.forecast.runs import queue_run
from stockpile.inventory.services import mark_expired_lots
from stockpile.ops import leases

log = logging.getLogger(__name__)
MISFIRE_GRACE_SECONDS = 600
INTERVAL_GRID = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Job:
    """A periodic job: a stable id, the config key of its cron time (or of its interval in seconds), what it does."""

    id: str
    cron_setting: str
    run: Callable[[], str]
    every_seconds_setting: str = ""
    # Jobs whose work is safe to run on several hosts at once (the queue claims a run with one conditional UPDATE)
    # take no lease: a lease held by a killed scheduler would stop them until it lapses.
    leased: bool = True
    lease_ttl: dt.timedelta = dt.timedelta(hours=3)  # longer than the job takes; a dead holder's lease lapses

    def trigger(self, app: Flask) -> BaseTrigger:
        """When the job fires, from the app's configuration."""
        if self.every_seconds_setting:
            # On a grid from a fixed start, so every host's firings fall on the same times (and fire keys).
            return IntervalTrigger(seconds=int(app.config[self.every_seconds_setting]), start_date=INTERVAL_GRID,
                                   timezone=LOCAL_ZONE)
        return CronTrigger.from_crontab(app.config[self.cron_setting], timezone=LOCAL_ZONE)


def queue_nightly_run_job() -> str:
    """The nightly forecast run: queued, so the queue job executes it like any other."""
    try:
        with transaction():
            run = queue_run(RunTrigger.SCHEDULED)
    except Conflict as busy:
        return f"nightly forecast run not queued: {busy.message}"
    return f"forecast run {run.id} queued"


def execute_queued_run_job() -> str:
    """Mark dead runs failed, then execute the oldest queued forecast run in this process, if there is one."""
    from stockpile.forecast.runner import execute_queued  # the engine (pandas, statsforecast) only in the scheduler

    return execute_queued()


def reconcile_flags_job() -> str:
    """Re-evaluate every item's outlook against the stock as it is now and record the flags that changed."""
    with transaction():
        events = record(outlooks(), "stock changed")
    return f"{len(events)} flag changes recorded"


def mark_expired_job() -> str:
    """The daily expiry of lots past their date, in one transaction."""
    with transaction():
        lots = mark_expired_lots()
    return f"{len(lots)} lots marked expired"


def drain_outbox_job() -> str:
    """Send the e-mails waiting in the outbox (after the commits that wrote them); failures wait and retry."""
    return str(mail.drain_outbox())


def mail_digest_job() -> str:
    """Queue each user's daily digest of the alerts they chose to get that way."""
    with transaction():
        users = mail.send_digests()
    return f"{users} digests queued"


def overdue_deliveries_job() -> str:
    """Tell logistics of expected deliveries past their date (once per delivery)."""
    with transaction():
        made = notify_overdue_deliveries()
    return f"{len(made)} overdue-delivery notifications"


JOBS = (
    Job("forecast-nightly", "FORECAST_CRON", queue_nightly_run_job),
    Job("forecast-queue", "", execute_queued_run_job, every_seconds_setting="FORECAST_QUEUE_POLL_SECONDS",
        leased=False),
    Job("flags-reconcile", "", reconcile_flags_job, every_seconds_setting="FLAGS_RECONCILE_SECONDS",
        lease_ttl=dt.timedelta(minutes=10)),
    Job("expiry-daily", "EXPIRY_CRON", mark_expired_job),
    Job("mail-outbox", "", drain_outbox_job, every_seconds_setting="MAIL_OUTBOX_SECONDS",
        lease_ttl=dt.timedelta(minutes=15)),
    Job("mail-digest", "MAIL_DIGEST_CRON", mail_digest_job),
    Job("deliveries-overdue", "DELIVERY_OVERDUE_CRON", overdue_deliveries_job),
)


def holder_name() -> str:
    """This process, as named in the lease table."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_once(job: Job, fire_key: str, holder: str | None = None) -> bool:
    """Run a job for one firing if this process wins the lease; False when another process has it."""
    if not job.leased:
        log.info("job %s (%s): %s", job.id, fire_key, job.run())
        return True
    holder = holder or holder_name()
    with transaction():
        won = leases.acquire(job.id, fire_key, holder, job.lease_ttl)
    if not won:
        log.info("job %s (%s) skipped: another scheduler runs it", job.id, fire_key)
        return False
    try:
        log.info("job %s (%s): %s", job.id, fire_key, job.run())
    finally:
        with transaction():
            leases.release(job.id, holder)
    return True


def fire_key(trigger: BaseTrigger, now: dt.datetime) -> str:
    """The scheduled time of the firing that is due now: the same on every host, whatever their small delays."""
    if isinstance(trigger, IntervalTrigger):
        step = trigger.interval.total_seconds()
        due_at = INTERVAL_GRID + dt.timedelta(seconds=(now - INTERVAL_GRID).total_seconds() // step * step)
        return due_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    due = trigger.get_next_fire_time(None, now - dt.timedelta(seconds=MISFIRE_GRACE_SECONDS))
    return (due or now).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")


def build_scheduler(app: Flask) -> BlockingScheduler:
    """A blocking scheduler with every job of JOBS, each under its stable id."""
    scheduler = BlockingScheduler(timezone=LOCAL_ZONE)
    for job in JOBS:
        trigger = job.trigger(app)
        scheduler.add_job(_in_app(app, job, trigger), trigger, id=job.id, name=job.id, replace_existing=True,
                          misfire_grace_time=MISFIRE_GRACE_SECONDS, coalesce=True, max_instances=1)
    return scheduler


def _in_app(app: Flask, job: Job, trigger: BaseTrigger) -> Callable[[], None]:
    def fire() -> None:
        with app.app_context():
            run_once(job, fire_key(trigger, dt.datetime.now(LOCAL_ZONE)))

    return fire


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the periodic jobs (forecast nightly and queued runs, flag reconciliation, lot expiry, alert e-mail and
    overdue deliveries) until stopped; safe to run on several hosts."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    scheduler = build_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]
    for job in scheduler.get_jobs():
        click.echo(f"{job.id}: {job.trigger}")
    scheduler.start()
