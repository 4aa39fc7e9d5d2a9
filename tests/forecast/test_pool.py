"""The engine's pool: series fitted in batches, progress reported, a stop honoured between batches."""

from __future__ import annotations

import datetime as dt

import pytest

from stockpile.forecast.engine.jobs import SeriesJob
from stockpile.forecast.engine.pool import PHASE_FITTING, FitCancelled, fit_all

START = dt.date(2026, 1, 1)


def _flat_jobs(count: int) -> list[SeriesJob]:
    """Constant series, item i at level i + 1: a flat forecast at that level, fitted in milliseconds."""
    return [SeriesJob(item, None, START, (float(item + 1),) * 20, 5) for item in range(count)]


def test_every_series_comes_back_in_job_order_with_progress_to_the_total() -> None:
    seen: list[tuple[int, int, str]] = []
    outcomes = fit_all(_flat_jobs(12), workers=1, progress=lambda d, t, p: seen.append((d, t, p)))
    assert [o.item_id for o in outcomes] == list(range(12))
    assert [o.yhat[0] for o in outcomes] == [float(i + 1) for i in range(12)]
    assert seen[0] == (0, 12, PHASE_FITTING)
    assert seen[-1] == (12, 12, PHASE_FITTING)
    done = [d for d, _t, _p in seen]
    assert done == sorted(done)  # reported batch by batch, never backwards
    assert len(done) > 2


def test_a_stop_between_batches_raises_and_returns_nothing() -> None:
    seen: list[int] = []
    with pytest.raises(FitCancelled) as stopped:
        fit_all(_flat_jobs(12), workers=1, progress=lambda d, t, p: seen.append(d), should_stop=lambda: bool(seen[1:]))
    assert 0 < stopped.value.done < 12
    assert stopped.value.total == 12
    assert "stopped on request" in str(stopped.value)


@pytest.mark.slow
def test_worker_processes_report_progress_and_stop() -> None:
    seen: list[int] = []
    outcomes = fit_all(_flat_jobs(16), workers=2, progress=lambda d, t, p: seen.append(d))
    assert [o.item_id for o in outcomes] == list(range(16))
    assert seen[-1] == 16
    with pytest.raises(FitCancelled):
        fit_all(_flat_jobs(16), workers=2, should_stop=lambda: True)
