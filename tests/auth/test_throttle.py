"""Sign-in throttling (OWASP): a growing delay per account and never a lock-out, a per-address limit that spares
accounts nobody attacks, counting that parallel guesses cannot outrun, and the real client behind a proxy."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter

import pytest
from sqlalchemy import select

from stockpile import create_app
from stockpile.auth.models import LoginFailure, Role
from stockpile.db import transaction
from stockpile.ops import migrate
from stockpile.web import security
from tests import factories
from tests.databases import backends, fresh_database

WRONG = "wrong guess here"


def attempt(client, email, password=WRONG, address="192.0.2.1", **kwargs):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address}, **kwargs)


def time_passes(db, seconds):
    """Move every recorded failure back in time, as if the seconds had passed."""
    for failure in db.scalars(select(LoginFailure)):
        failure.at -= dt.timedelta(seconds=seconds)
    db.flush()


def test_an_accounts_first_failures_are_free_then_it_waits_and_the_right_password_still_works(client, db) -> None:
    user = factories.user(Role.LOGISTICS)
    for _ in range(5):
        assert attempt(client, user.email).status_code == 422
    waiting = attempt(client, user.email, factories.PASSWORD)
    assert waiting.status_code == 429
    assert waiting.headers["Retry-After"] == "1"
    assert "Too many failed sign-ins. Try again in 1 second." in waiting.text
    time_passes(db, 1)
    assert attempt(client, user.email, factories.PASSWORD).status_code == 302


def test_the_delay_doubles_with_every_further_failure_up_to_the_maximum(app, client, db, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "LOGIN_MAX_DELAY_SECONDS", 5)
    user = factories.user(Role.LOGISTICS)
    for _ in range(5):
        attempt(client, user.email)
    waits = []
    for _ in range(4):
        waits.append(attempt(client, user.email).headers["Retry-After"])
        time_passes(db, 10)
        assert attempt(client, user.email).status_code == 422  # evaluated once the wait is over, and counted
    assert waits == ["1", "2", "4", "5"]


def test_an_unknown_email_is_throttled_exactly_like_a_known_account(client, db) -> None:
    known = factories.user(Role.LOGISTICS)
    answers = {email: [attempt(client, email).status_code for _ in range(6)]
               for email in (known.email, "nobody@test.example")}
    assert answers[known.email] == answers["nobody@test.example"] == [422] * 5 + [429]


def test_an_address_full_of_failures_still_signs_in_an_account_nobody_attacks(client, db) -> None:
    """Behind an office NAT, someone mistyping 20 unknown emails must not keep the administrator out."""
    admin = factories.user(Role.ADMIN)
    for n in range(20):
        assert attempt(client, f"guess{n}@test.example").status_code == 422
    assert attempt(client, admin.email, factories.PASSWORD).status_code == 302


def test_an_address_full_of_failures_gets_one_guess_per_account_then_waits(app, client, db, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", 3)
    user = factories.user(Role.LOGISTICS)
    for n in range(3):
        attempt(client, f"guess{n}@test.example")
    assert attempt(client, user.email).status_code == 422  # nobody attacked this account yet: evaluated
    refused = attempt(client, user.email, factories.PASSWORD)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 800  # until the address's oldest failure leaves the window
    # From another address the account is only one failure down: the right password works.
    assert attempt(client, user.email, factories.PASSWORD, address="198.51.100.7").status_code == 302


def test_an_address_counts_only_its_own_failures(app, client, db, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", 3)
    user = factories.user(Role.LOGISTICS)
    attempt(client, user.email, address="198.51.100.7")
    for n in range(3):
        attempt(client, f"guess{n}@test.example", address="192.0.2.66")
    assert attempt(client, user.email, factories.PASSWORD, address="198.51.100.7").status_code == 302


def test_failures_are_counted_under_a_keyed_hash_never_the_typed_text(client, db) -> None:
    attempt(client, "my-password-typed-in-the-email-box")
    failure = db.scalars(select(LoginFailure)).one()
    assert len(failure.account_key) == 64
    assert "password" not in failure.account_key


def test_behind_trusted_proxies_the_forwarded_client_address_is_counted(app, client, db, monkeypatch) -> None:
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    attempt(client, "nobody@test.example", headers=forwarded)
    assert db.scalars(select(LoginFailure.address)).all() == ["192.0.2.1"]  # not trusted by default
    monkeypatch.setattr(app, "wsgi_app", app.wsgi_app)  # restored after the test
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)
    security._trust_proxies(app)
    attempt(client, "nobody@test.example", headers=forwarded)
    assert db.scalars(select(LoginFailure.address).order_by(LoginFailure.id)).all() == ["192.0.2.1", "203.0.113.9"]


@pytest.mark.parametrize("kind", backends())
def test_parallel_guesses_cannot_outrun_the_count(kind, tmp_path) -> None:
    """24 wrong guesses at once at one account: exactly the free five are evaluated, the rest wait."""
    with fresh_database(kind, tmp_path) as url:
        migrate.upgrade(url)
        app = create_app({"TESTING": True, "SECRET_KEY": "throttle-race", "DATABASE_URL": url,
                          "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                          "LOGIN_DELAY_SECONDS": 600})
        try:
            with app.app_context(), transaction():
                email = factories.user(Role.LOGISTICS).email
            start, statuses = threading.Barrier(24), Counter[int]()

            def guess() -> None:
                client = app.test_client()
                start.wait()
                statuses[attempt(client, email).status_code] += 1

            threads = [threading.Thread(target=guess) for _ in range(24)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            with app.app_context(), transaction() as session:
                evaluated = len(session.scalars(select(LoginFailure)).all())
        finally:
            app.extensions["stockpile.engine"].dispose()
    assert evaluated == 5
    assert statuses == {422: 5, 429: 19}
