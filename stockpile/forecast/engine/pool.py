"""Fit many series in batches, in worker processes, reporting progress and stopping between batches on request.

The callbacks (see the package docstring) run in the calling process: `progress(done, total, phase)` after every
finished batch, and `should_stop()` at least once a second while batches are pending; when it answers True the
batches not yet started are dropped and `FitCancelled` is raised.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from stockpile.forecast.engine.bulk import fit_batch
from stockpile.forecast.engine.dask_pool import fit_on_cluster
from stockpile.forecast.engine.jobs import SeriesJob, SeriesOutcome

Progress = Callable[[int, int, str], None]
ShouldStop = Callable[[], bool]

PHASE_READING = "reading"
PHASE_FITTING = "fitting"
PHASE_WRITING = "writing"
# Small enough that progress moves and a stop is honoured within seconds, large enough to keep workers busy.
MAX_BATCH = 25
POLL_SECONDS = 1.0
CLUSTER_BATCHES = 16  # batches are cut as for this many workers at least when a cluster fits them


class FitCancelled(Exception):
    """The caller's should_stop() answered True; nothing fitted so far is returned."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(f"stopped on request after {done} of {total} series")
        self.done, self.total = done, total


def _no_progress(done: int, total: int, phase: str) -> None:
    """The default progress hook: report nowhere."""


def _never_stop() -> bool:
    """The default stop check: never."""
    return False


def batches(jobs: Sequence[SeriesJob], workers: int) -> list[list[SeriesJob]]:
    """Cut jobs into consecutive batches, several per worker, none over MAX_BATCH."""
    size = max(1, min(MAX_BATCH, len(jobs) // (max(workers, 1) * 4)))
    return [list(jobs[i:i + size]) for i in range(0, len(jobs), size)]


def fit_all(jobs: Sequence[SeriesJob], workers: int, progress: Progress | None = None,
            should_stop: ShouldStop | None = None, scheduler: str | None = None) -> list[SeriesOutcome]:
    """Fit every series (in job order): on the Dask cluster whose scheduler address is given, else in worker
    processes when there is more than one worker and one series."""
    report, stop = progress or _no_progress, should_stop or _never_stop
    report(0, len(jobs), PHASE_FITTING)
    if scheduler:
        # Several batches per cluster thread keep every worker busy and progress moving.
        parts = batches(jobs, max(workers, CLUSTER_BATCHES))
        return fit_on_cluster(parts, scheduler, len(jobs), report, stop, PHASE_FITTING, FitCancelled)
    parts = batches(jobs, workers)
    if workers <= 1 or len(jobs) <= 1:
        return _fit_here(parts, len(jobs), report, stop)
    return _fit_in_processes(parts, workers, len(jobs), report, stop)


def _fit_here(parts: list[list[SeriesJob]], total: int, report: Progress, stop: ShouldStop) -> list[SeriesOutcome]:
    """Fit batch after batch in this process."""
    outcomes: list[SeriesOutcome] = []
    for part in parts:
        if stop():
            raise FitCancelled(len(outcomes), total)
        outcomes += fit_batch(part)
        report(len(outcomes), total, PHASE_FITTING)
    return outcomes


def _fit_in_processes(parts: list[list[SeriesJob]], workers: int, total: int, report: Progress,
                      stop: ShouldStop) -> list[SeriesOutcome]:
    """Fit batches in spawned worker processes, polling should_stop while they run."""
    # spawn, not fork: the scheduler runs jobs in threads, and forking a threaded process can deadlock.
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        futures: dict[Future[list[SeriesOutcome]], int] = {pool.submit(fit_batch, part): n
                                                           for n, part in enumerate(parts)}
        results = _collect(futures, total, report, stop)
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return [outcome for n in range(len(parts)) for outcome in results[n]]


def _collect(futures: dict[Future[list[SeriesOutcome]], int], total: int, report: Progress,
             stop: ShouldStop) -> dict[int, list[SeriesOutcome]]:
    """Wait for every batch, reporting each as it finishes; raise FitCancelled when asked to stop."""
    results: dict[int, list[SeriesOutcome]] = {}
    pending = set(futures)
    done_series = 0
    while pending:
        if stop():
            raise FitCancelled(done_series, total)
        finished, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
        for future in finished:
            results[futures[future]] = future.result()
            done_series += len(results[futures[future]])
        if finished:
            report(done_series, total, PHASE_FITTING)
    return results
