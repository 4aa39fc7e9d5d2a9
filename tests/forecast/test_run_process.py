"""'Start a run now' in production: the page commits the run and a separate process executes it."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select

from stockpile import create_app
from stockpile.auth.models import Role
from stockpile.db import session, transaction
from stockpile.forecast.models import ForecastRun, RunStatus
from stockpile.ops import migrate
from tests import factories
from tests.conftest import TEST_CONFIG, sign_in
from tests.inventory.helpers import receive


def test_a_run_started_from_the_page_is_executed_by_its_own_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'runs.sqlite'}"
    migrate.upgrade(url)
    app = create_app({**TEST_CONFIG, "DATABASE_URL": url, "FORECAST_RUN_INLINE": False})
    try:
        with app.app_context():
            with transaction():
                receive(factories.item(), factories.warehouse(), 500)
                user = factories.user(Role.CONTINUITY)
            client = sign_in(app.test_client(), user)
            response = client.post("/forecast/runs/start")
            assert response.status_code == 302
            response.close()  # the process is started once the response is closed, after the commit
            status = _wait_for_finish(app, timeout=120)
        assert status is RunStatus.SUCCEEDED
    finally:
        app.extensions["stockpile.engine"].dispose()


def _wait_for_finish(app, timeout: float) -> RunStatus | None:
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        run = session().scalar(select(ForecastRun))
        status = run.status if run is not None else None
        session().rollback()  # end the read: SQLite writers (the run's process) wait for open transactions
        if status in (RunStatus.SUCCEEDED, RunStatus.FAILED):
            return status
        time.sleep(0.5)
    return status
