"""Sign-in throttling as OWASP's authentication guidance has it, counted in the database so it holds across workers.

- **Per account, a progressive delay, never a lock-out.** The first LOGIN_FAILURES_BEFORE_DELAY failures of an
  account within the window cost nothing; after that each attempt must wait LOGIN_DELAY_SECONDS after the last
  failure, doubling with every further failure up to LOGIN_MAX_DELAY_SECONDS. An attacker slows guessing to a crawl
  but cannot keep the owner out for longer than that maximum.
- **Per address, a limit that spares accounts nobody attacks.** An address with LOGIN_MAX_FAILURES_PER_ADDRESS
  failures of its own in the window may no longer try accounts that have failed sign-ins in the window; an account
  without any is still tried, so a colleague behind the same NAT or proxy signs in with the right password.
- **Atomic.** The attempts on one account (and from one address) take their turn: on PostgreSQL under transaction
  advisory locks, on SQLite inside the write transaction a sign-in begins with. Parallel guesses therefore see each
  other's failures, and no more are evaluated than the rules allow.

Accounts are counted by a keyed hash of the normalised email (HMAC with the secret key), so what was typed in the
email box, a password by mistake, is never stored, and an unknown email is throttled exactly like a known one (the
answers do not tell which accounts exist).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math

from flask import current_app
from sqlalchemy import func, select, text

from stockpile.auth.models import LoginFailure
from stockpile.db import as_aware_utc, session, utcnow


def account_key(email: str) -> str:
    """The keyed hash an account's failures are counted under (the email is normalised by the caller)."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, email.encode(), hashlib.sha256).hexdigest()


def _window_start(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(minutes=int(current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"]))


def _take_turn(*keys: str) -> None:
    """Serialise sign-in attempts sharing a key until the transaction ends (PostgreSQL; SQLite's write lock does)."""
    if session().get_bind().dialect.name != "postgresql":
        return
    # Always in the same order, so two attempts needing the same two locks can never wait for each other.
    for lock_id in sorted({int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
                           for key in keys}):
        session().execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": lock_id})


def _seconds_until(moment: dt.datetime, now: dt.datetime) -> int:
    return max(1, math.ceil((moment - now).total_seconds()))


def _account_delay(failures: int) -> float:
    """Seconds an attempt must wait after the last failure, given the account's failures in the window."""
    config = current_app.config
    beyond = failures - int(config["LOGIN_FAILURES_BEFORE_DELAY"])
    if beyond < 0:
        return 0.0
    return float(min(float(config["LOGIN_DELAY_SECONDS"]) * 2 ** min(beyond, 32),
                     float(config["LOGIN_MAX_DELAY_SECONDS"])))


def seconds_to_wait(email: str, address: str) -> int | None:
    """None when this sign-in may be tried now; otherwise how many seconds to wait first (nothing is evaluated)."""
    key = account_key(email)
    _take_turn(f"account:{key}", f"address:{address}")
    now = utcnow()  # after the turn: failures recorded while this attempt waited are older than its now
    since = _window_start(now)
    failures, last = session().execute(
        select(func.count(), func.max(LoginFailure.at)).where(LoginFailure.account_key == key,
                                                               LoginFailure.at >= since)).one()
    if failures == 0:
        return None  # nobody is attacking this account: even a blocked address may try it
    ready = as_aware_utc(last) + dt.timedelta(seconds=_account_delay(int(failures)))
    if ready > now:
        return _seconds_until(ready, now)
    by_address, oldest = session().execute(
        select(func.count(), func.min(LoginFailure.at)).where(LoginFailure.address == address,
                                                               LoginFailure.at >= since)).one()
    if by_address >= int(current_app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
        window = dt.timedelta(minutes=int(current_app.config["LOGIN_FAILURE_WINDOW_MINUTES"]))
        return _seconds_until(as_aware_utc(oldest) + window, now)
    return None


def record_failure(email: str, address: str) -> None:
    """Count a failed sign-in against the account (by its keyed hash) and the address."""
    session().add(LoginFailure(account_key=account_key(email), address=address))
    session().flush()
