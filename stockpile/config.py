"""Configuration: safe defaults, overridden by STOCKPILE_* environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

DEFAULTS: dict[str, Any] = {
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
    "LANGUAGES": ["en", "nl"],
    "API_TITLE": "Stockpile",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearerAuth": []}],
    },
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    # None: Secure everywhere except development and tests (stockpile.web.security); true or false to decide.
    "SESSION_COOKIE_SECURE": None,
    # A browser session ends after this many minutes without a request, and this many hours after signing in.
    "SESSION_IDLE_MINUTES": 8 * 60,
    "SESSION_MAX_HOURS": 24,
    # Strict-Transport-Security outside development: browsers then refuse plain http for this long (0: no header).
    "HSTS_SECONDS": 365 * 24 * 3600,
    # Remember-me cookies would outlive a password change; the service never sets them.
    "REMEMBER_COOKIE_DURATION": 0,
    # How long a SQLite writer waits for another's write lock before the request answers 503 (Retry-After): well
    # below gunicorn's 30 s worker timeout, which would kill the worker with a bare 500.
    "SQLITE_BUSY_TIMEOUT_SECONDS": 5,
    # Times a request's view is run again after PostgreSQL aborted its transaction for a deadlock or a
    # serialization failure, before the client gets a 503.
    "DATABASE_RETRIES": 3,
    # Request bodies: any request at most MAX_CONTENT_LENGTH bytes (a receipts file of IMPORT_MAX_ROWS lines is well
    # under 2 MiB); a JSON body at most MAX_JSON_BYTES and nested at most MAX_JSON_DEPTH deep. Larger is a 413,
    # deeper a 400, both before the body is parsed.
    "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
    "MAX_JSON_BYTES": 1024 * 1024,
    "MAX_JSON_DEPTH": 20,
    "PAGE_SIZE": 50,
    # Lines one receipts file may hold: a longer file is refused whole, with this number in the message.
    "IMPORT_MAX_ROWS": 10_000,
    # Rows an XLSX export may have: openpyxl builds about 7,000 rows a second on one core before the first byte
    # goes out, so a longer one would outlast the worker's timeout. CSV exports stream and have no limit.
    "XLSX_EXPORT_MAX_ROWS": 50_000,
    # "development" relaxes what needs HTTPS (Secure cookies); anything else is treated as production.
    "ENV_NAME": "production",
    # Sign-in throttling (stockpile.auth.throttle), over failures within the window: an account's first failures
    # are free, then each attempt waits a delay that doubles up to the maximum; an address with this many failures
    # of its own may only try accounts that have none.
    "LOGIN_FAILURE_WINDOW_MINUTES": 15,
    "LOGIN_FAILURES_BEFORE_DELAY": 5,
    "LOGIN_DELAY_SECONDS": 1,
    "LOGIN_MAX_DELAY_SECONDS": 60,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed (Werkzeug's ProxyFix);
    # 0 believes none, and the client address is the connection's.
    "TRUSTED_PROXIES": 0,
    # A picking proposal skips lots that would expire within this many days of leaving the stockpile.
    "MIN_REMAINING_SHELF_LIFE_DAYS": 30,
    # Forecasting: the nightly run's cron time (Europe/Amsterdam), days ahead, days of history, worker processes
    # (0: one per core).
    "FORECAST_CRON": "0 2 * * *",
    "FORECAST_HORIZON_DAYS": 90,
    "FORECAST_HISTORY_DAYS": 730,
    "FORECAST_WORKERS": 0,
    # A series' method is chosen by backtest again when its selection is this old (or new, or its error drifted);
    # the nightly run otherwise refits only the chosen method.
    "FORECAST_SELECTION_MAX_AGE_DAYS": 7,
    # A Dask distributed scheduler (tcp://host:8786): runs send their series there instead of to local processes.
    "DASK_SCHEDULER": "",
    # Queued runs (from pages and the API) are executed by `stockpile scheduler`, which looks for one this often;
    # an executing run writes a heartbeat this often, and is taken for dead when its heartbeat is this old.
    "FORECAST_QUEUE_POLL_SECONDS": 10,
    "FORECAST_HEARTBEAT_SECONDS": 10,
    "FORECAST_RUN_DEAD_AFTER_SECONDS": 180,
    # The flag history follows the stock between runs: the scheduler re-evaluates every item this often.
    "FLAGS_RECONCILE_SECONDS": 60,
    "EXPIRY_CRON": "15 0 * * *",
    # Alerts by e-mail: nothing is mailed while SMTP_HOST is empty. Mails wait in the outbox table and the scheduler
    # sends them this often; a mail that keeps failing is given up after MAIL_MAX_ATTEMPTS tries (pauses of 1, 2,
    # 4 ... minutes, at most an hour). BASE_URL makes the links in mails absolute (https://stockpile.example.nl).
    "SMTP_HOST": "",
    "SMTP_PORT": 25,
    "SMTP_USERNAME": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": False,
    "SMTP_SSL": False,
    "SMTP_SENDER": "stockpile@localhost",
    "SMTP_TIMEOUT_SECONDS": 10,
    "BASE_URL": "",
    "MAIL_DEFAULT_LOCALE": "nl",
    "MAIL_MAX_ATTEMPTS": 20,
    "MAIL_OUTBOX_SECONDS": 30,
    "MAIL_DIGEST_CRON": "0 7 * * *",
    "DELIVERY_OVERDUE_CRON": "30 6 * * *",
}


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Fill app.config from defaults, STOCKPILE_* variables and explicit overrides, in that order."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("STOCKPILE")
    if overrides:
        app.config.from_mapping(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'stockpile.sqlite'}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path) / "secret_key")


def _instance_secret(path: Path) -> str:
    """Read the instance's secret key, generating it once; it never lives in the repository.

    The file is created with mode 600 in the one call that creates it (O_EXCL: never over another process's key),
    so it is never readable by others, not even for a moment before a chmod.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
