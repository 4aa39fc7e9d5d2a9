"""Browser tests: the real app on a seeded SQLite file, served on a free port, driven by Debian's Chromium.

Skipped with a reason where the browser or the playwright package is missing (a laptop with only Python); when
STOCKPILE_REQUIRE_BROWSER=1 (as `.ci/run` sets it) a missing browser fails the run instead, so CI cannot pass by
skipping the story.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from stockpile import create_app
from stockpile.ops import migrate
from tests.databases import fresh_database

CHROMIUM = Path(os.environ.get("STOCKPILE_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_BROWSER = os.environ.get("STOCKPILE_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
# A forecast run is executed by the scheduler process within seconds: allow it more than Playwright's default 30 s.
SLOW_STEP_MS = 180_000

# What the web app and the scheduler process share: a shorter history and horizon keep each run near ten seconds
# (FFP2-CUP is still flagged critical); the scheduler looks for queued runs every second and beats every second.
FORECAST_CONFIG: dict[str, Any] = {
    "FORECAST_WORKERS": 1,
    "FORECAST_HISTORY_DAYS": 90,
    "FORECAST_HORIZON_DAYS": 45,
    "FORECAST_QUEUE_POLL_SECONDS": 1,
    "FORECAST_HEARTBEAT_SECONDS": 1,
    "FLAGS_RECONCILE_SECONDS": 5,
    # Every run selects its methods again (a backtest), so the third run lasts long enough to be watched and
    # cancelled: a nightly refit of the demo's series alone now ends in seconds.
    "FORECAST_SELECTION_MAX_AGE_DAYS": 0,
}
SERVER_CONFIG: dict[str, Any] = {
    # Development: session cookies without Secure, as the server speaks plain http. CSRF stays on.
    "ENV_NAME": "development",
    "SECRET_KEY": "e2e-secret-key-not-for-production",
    **FORECAST_CONFIG,
}


def _missing_browser() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> None:
    """Remember a failed step, so the later steps of the same story are skipped rather than failing in its wake."""
    if call.excinfo is not None and call.when == "call":
        item.parent._failed_step = item.name  # type: ignore[union-attr]


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Without a browser, skip (or, where one is required, fail); after a failed step, skip the rest of the story."""
    missing = _missing_browser()
    if missing is not None:
        if REQUIRE_BROWSER:
            pytest.fail(f"STOCKPILE_REQUIRE_BROWSER=1 but {missing}", pytrace=False)
        pytest.skip(f"browser tests need a browser: {missing}")
    failed = getattr(item.parent, "_failed_step", None)
    if failed is not None:
        pytest.skip(f"an earlier step failed: {failed}")


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on a fresh SQLite file, migrated and filled as `stockpile seed-demo` fills it."""
    with fresh_database("sqlite", tmp_path_factory.mktemp("e2e-db")) as url:
        migrate.upgrade(url)
        app = create_app({**SERVER_CONFIG, "DATABASE_URL": url})
        app.instance_path = str(tmp_path_factory.mktemp("e2e-instance"))
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        yield app


@pytest.fixture(scope="session")
def scheduler(demo_app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[subprocess.Popen[bytes]]:
    """`stockpile scheduler` on the same database, as in production: it executes the runs the pages queue."""
    env = {**os.environ, "STOCKPILE_DATABASE_URL": demo_app.config["DATABASE_URL"],
           **{f"STOCKPILE_{key}": str(value) for key, value in FORECAST_CONFIG.items()}}
    log = tmp_path_factory.mktemp("e2e-scheduler") / "scheduler.log"
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-c", "from stockpile.cli import main; main()", "scheduler"],
                                   env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


@pytest.fixture(scope="session")
def live_server(demo_app: Flask, scheduler: subprocess.Popen[bytes]) -> Iterator[str]:
    """Serve the app with werkzeug on 127.0.0.1 and a free port, in a background thread; yields its base URL."""
    server: BaseWSGIServer = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session (Debian's, never a downloaded one)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where steps save screenshots: STOCKPILE_E2E_SCREENSHOTS if set, else a temporary directory."""
    chosen = os.environ.get("STOCKPILE_E2E_SCREENSHOTS")
    if chosen:
        Path(chosen).mkdir(parents=True, exist_ok=True)
        return Path(chosen)
    return tmp_path_factory.mktemp("e2e-screenshots")
