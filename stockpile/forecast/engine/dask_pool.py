"""Fit the batches on an existing Dask distributed cluster instead of local worker processes.

With STOCKPILE_DASK_SCHEDULER=tcp://host:8786 a run connects to that scheduler as a client, submits one task per
batch (`bulk.fit_batch`, the same unit of work a local worker gets) and collects the results as they finish,
reporting progress and honouring a stop between batches exactly as the local pool does: tasks not yet started are
cancelled and `FitCancelled` is raised. The workers need this package installed (the same version) to import
`stockpile.forecast.engine.bulk`; they need no database, as series go to them as plain data and come back as such.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from distributed import Client, Future

from stockpile.forecast.engine.bulk import fit_batch
from stockpile.forecast.engine.jobs import SeriesJob, SeriesOutcome

POLL_SECONDS = 0.2
CONNECT_TIMEOUT = "20s"


def fit_on_cluster(parts: list[list[SeriesJob]], address: str, total: int,
                   report: Callable[[int, int, str], None], stop: Callable[[], bool], phase: str,
                   cancelled: Callable[[int, int], Exception]) -> list[SeriesOutcome]:
    """Fit every batch on the cluster at `address`; results in batch order."""
    with Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False) as client:  # type: ignore[no-untyped-call]
        futures: dict[Future[Any], int] = {
            client.submit(fit_batch, part, key=f"stockpile-fit-{n}-{id(parts)}", pure=False): n
            for n, part in enumerate(parts)}
        try:
            results = _collect(futures, total, report, stop, phase, cancelled)
        except BaseException:
            client.cancel(list(futures))
            raise
    return [outcome for n in range(len(parts)) for outcome in results[n]]


def _collect(futures: dict[Future[Any], int], total: int, report: Callable[[int, int, str], None],
             stop: Callable[[], bool], phase: str,
             cancelled: Callable[[int, int], Exception]) -> dict[int, list[SeriesOutcome]]:
    results: dict[int, list[SeriesOutcome]] = {}
    pending = dict(futures)
    done_series = 0
    while pending:
        if stop():
            raise cancelled(done_series, total)
        finished = [future for future in pending if future.done()]  # type: ignore[no-untyped-call]
        if not finished:
            time.sleep(POLL_SECONDS)
            continue
        for future in finished:
            batch = pending.pop(future)
            results[batch] = future.result()
            done_series += len(results[batch])
        report(done_series, total, phase)
    return results
