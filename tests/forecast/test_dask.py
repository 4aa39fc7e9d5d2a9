"""The run's series on a Dask cluster: the same outcomes, progress and stop as the local pool (a LocalCluster)."""

from __future__ import annotations

import datetime as dt

import pytest
from distributed import LocalCluster

from stockpile.forecast import runner
from stockpile.forecast.engine.jobs import SeriesJob
from stockpile.forecast.engine.pool import PHASE_FITTING, FitCancelled, fit_all
from stockpile.forecast.models import RunStatus, RunTrigger
from tests import factories
from tests.forecast.conftest import issue_on
from tests.inventory.helpers import receive

START = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def scheduler():
    """A small in-process cluster: two worker threads, no dashboard."""
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def _jobs(count: int) -> list[SeriesJob]:
    return [SeriesJob(item, None, START, (float(item + 1),) * 20, 5) for item in range(count)]


def test_the_cluster_fits_every_series_in_job_order_with_progress(scheduler) -> None:
    seen: list[tuple[int, int, str]] = []
    outcomes = fit_all(_jobs(40), workers=1, progress=lambda d, t, p: seen.append((d, t, p)), scheduler=scheduler)
    assert [o.item_id for o in outcomes] == list(range(40))
    assert [o.yhat[0] for o in outcomes] == [float(i + 1) for i in range(40)]
    assert seen[0] == (0, 40, PHASE_FITTING)
    assert seen[-1] == (40, 40, PHASE_FITTING)


def test_a_stop_cancels_the_cluster_work(scheduler) -> None:
    with pytest.raises(FitCancelled) as stopped:
        fit_all(_jobs(40), workers=1, should_stop=lambda: True, scheduler=scheduler)
    assert stopped.value.total == 40


def test_a_run_sends_its_series_to_the_configured_scheduler(db, app, monkeypatch, scheduler) -> None:
    wh = factories.warehouse()
    item = factories.item(code="DASK-1")
    lot = receive(item, wh, 5_000).lot
    for days_ago in range(1, 30):
        issue_on(db, lot, wh, 10 + days_ago % 7, days_ago)
    monkeypatch.setitem(app.config, "DASK_SCHEDULER", scheduler)
    run = runner.run_forecast(RunTrigger.CLI)
    assert (run.status, run.series_count, run.failed_series) == (RunStatus.SUCCEEDED, 1, 0)
