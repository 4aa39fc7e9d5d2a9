"""Sign-in throttling per account and per address, counted in the database so it holds across workers."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import func, select

from stockpile.auth.models import LoginFailure
from stockpile.db import session, utcnow


def _window_start() -> dt.datetime:
    return utcnow() - dt.timedelta(minutes=int(current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"]))


def is_throttled(email: str, address: str) -> bool:
    """True while the account or the address has had too many failed sign-ins in the window."""
    since = _window_start()
    by_account = session().scalar(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.email == email, LoginFailure.at >= since)
    ) or 0
    by_address = session().scalar(
        select(func.count()).select_from(LoginFailure).where(LoginFailure.address == address,
                                                             LoginFailure.at >= since)
    ) or 0
    config = current_app.config
    return bool(by_account >= int(config["LOGIN_MAX_FAILURES_PER_ACCOUNT"])
                or by_address >= int(config["LOGIN_MAX_FAILURES_PER_ADDRESS"]))


def record_failure(email: str, address: str) -> None:
    """Count a failed sign-in."""
    session().add(LoginFailure(email=email, address=address))
    session().flush()
