"""The periodic jobs (stable ids) and the `stockpile scheduler` process that runs them.

Jobs are declared here in code, so the scheduler keeps them in memory (no job store table). Any number of
scheduler processes may run, on any hosts: each firing first takes a database lease named after the job and
keyed by the scheduled time, so exactly one process runs it and the others skip.
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
from apscheduler.triggers.cron import CronTrigger
from flask import Flask, current_app
from flask.cli import with_appcontext

from stockpile.db import LOCAL_ZONE, transaction
from stockpile.ops import leases

log = logging.getLogger(__name__)
LEASE_TTL = dt.timedelta(hours=3)  # longer than any job takes; a dead holder's lease lapses after it
MISFIRE_GRACE_SECONDS = 600


@dataclass(frozen=True)
class Job:
    """A periodic job: a stable id, the config key of its cron time and what it does."""

    id: str
    cron_setting: str
    run: Callable[[], str]


def run_forecast_job() -> str:
    """The nightly forecast run."""
    from stockpile.forecast.models import RunTrigger
    from stockpile.forecast.runner import run_forecast

    run = run_forecast(RunTrigger.SCHEDULED)
    return f"forecast run {run.id} {run.status.value}"


def mark_expired_job() -> str:
    """The daily expiry of lots past their date, in one transaction."""
    from stockpile.inventory.services import mark_expired_lots

    with transaction():
        lots = mark_expired_lots()
    return f"{len(lots)} lots marked expired"


JOBS = (
    Job("forecast-nightly", "FORECAST_CRON", run_forecast_job),
    Job("expiry-daily", "EXPIRY_CRON", mark_expired_job),
)


def holder_name() -> str:
    """This process, as named in the lease table."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_once(job: Job, fire_key: str, holder: str | None = None) -> bool:
    """Run a job for one firing if this process wins the lease; False when another process has it."""
    holder = holder or holder_name()
    with transaction():
        won = leases.acquire(job.id, fire_key, holder, LEASE_TTL)
    if not won:
        log.info("job %s (%s) skipped: another scheduler runs it", job.id, fire_key)
        return False
    try:
        log.info("job %s (%s): %s", job.id, fire_key, job.run())
    finally:
        with transaction():
            leases.release(job.id, holder)
    return True


def fire_key(trigger: CronTrigger, now: dt.datetime) -> str:
    """The scheduled time of the firing that is due now: the same on every host, whatever their small delays."""
    due = trigger.get_next_fire_time(None, now - dt.timedelta(seconds=MISFIRE_GRACE_SECONDS))
    return (due or now).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")


def build_scheduler(app: Flask) -> BlockingScheduler:
    """A blocking scheduler with every job of JOBS, each under its stable id."""
    scheduler = BlockingScheduler(timezone=LOCAL_ZONE)
    for job in JOBS:
        trigger = CronTrigger.from_crontab(app.config[job.cron_setting], timezone=LOCAL_ZONE)
        scheduler.add_job(_in_app(app, job, trigger), trigger, id=job.id, name=job.id, replace_existing=True,
                          misfire_grace_time=MISFIRE_GRACE_SECONDS, coalesce=True, max_instances=1)
    return scheduler


def _in_app(app: Flask, job: Job, trigger: CronTrigger) -> Callable[[], None]:
    def fire() -> None:
        with app.app_context():
            run_once(job, fire_key(trigger, dt.datetime.now(LOCAL_ZONE)))

    return fire


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the periodic jobs (forecast nightly, lot expiry daily) until stopped; safe to run on several hosts."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    scheduler = build_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]
    for job in scheduler.get_jobs():
        click.echo(f"{job.id}: {job.trigger}")
    scheduler.start()
