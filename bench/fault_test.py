"""Faults under load: the load test of bench/load_test.py with one fault injected while the traffic runs.

    .venv/bin/python bench/fault_test.py --fault db-restart --seconds 30    # restarts the local PostgreSQL 15 cluster
    .venv/bin/python bench/fault_test.py --fault worker-kill --seconds 30   # kill -9 a gunicorn worker, five times
    .venv/bin/python bench/fault_test.py --fault read-only --seconds 30     # the database read-only for a third

db-restart runs `pg_ctlcluster --skip-systemctl-redirect <version> main restart` (root, local cluster only): every
database on the server goes away for a few seconds. read-only sets `default_transaction_read_only` on the test's
own database and ends its connections, then resets it. After each, the script prints the answers before, during
and after the fault (successes, clean errors by code, unclean ones: a 500, an HTML page, no answer), how long the
service took to book again, `stockpile check-ledger` and whether any booking was lost or doubled.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import psycopg
from load_test import Gunicorn, Sample, Traffic, arguments, run
from sqlalchemy.engine import make_url


@dataclass
class Window:
    """When the fault began and ended, in seconds since the traffic began."""

    start: float = 0.0
    end: float = 0.0
    note: str = ""


def wait_until(traffic: Traffic, at: float) -> float:
    """Sleep until `at` seconds into the traffic; return the time reached."""
    while not traffic.started:
        time.sleep(0.05)
    delay = traffic.started + at - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    return time.monotonic() - traffic.started


def restart_database(seconds: float, window: Window) -> Any:
    def during(server: Gunicorn, traffic: Traffic) -> None:
        before = sorted(server.workers())
        window.start = wait_until(traffic, seconds * 0.3)
        version = sorted(os.listdir("/etc/postgresql"))[-1]
        result = subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
                                capture_output=True, text=True, check=False, timeout=120)
        window.end = time.monotonic() - traffic.started
        after = sorted(server.workers())
        window.note = (f"pg_ctlcluster {version} main restart exit {result.returncode} in "
                       f"{window.end - window.start:.1f} s; gunicorn workers before {before}, after {after} "
                       f"({'the same processes' if before == after else 'CHANGED'})")

    return during


def kill_workers(seconds: float, window: Window, kills: int = 5) -> Any:
    def during(server: Gunicorn, traffic: Traffic) -> None:
        killed = []
        for n in range(kills):
            at = wait_until(traffic, seconds * (0.2 + 0.12 * n))
            window.start = window.start or at
            pid = random.choice(server.workers())
            os.kill(pid, signal.SIGKILL)
            killed.append(f"{pid} at {at:.1f} s")
        window.end = time.monotonic() - traffic.started
        window.note = f"killed (SIGKILL) workers {', '.join(killed)}; workers now {sorted(server.workers())}"

    return during


def read_only(url: str, seconds: float, window: Window) -> Any:
    target = make_url(url)
    name = target.database
    admin = target.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)

    def switch(value: str) -> int:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = {value}')
            # Open connections keep the setting they started with; end them so the pool reconnects.
            ended = conn.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s "
                                 "AND pid <> pg_backend_pid()", (name,)).fetchone()
        return int(ended[0]) if ended else 0

    def during(_server: Gunicorn, traffic: Traffic) -> None:
        window.start = wait_until(traffic, seconds * 0.3)
        ended_on = switch("on")
        wait_until(traffic, seconds * 0.6)
        ended_off = switch("off")
        window.end = time.monotonic() - traffic.started
        window.note = (f"read-only from {window.start:.1f} s to {window.end:.1f} s "
                       f"({ended_on} and {ended_off} connections ended)")

    return during


def phase(sample: Sample, window: Window, settle: float) -> str:
    """Where a request's answer fell: before the fault, during it (plus `settle` seconds) or after."""
    answered = sample.start + sample.ms / 1000
    if answered < window.start:
        return "before"
    if answered <= window.end + settle:
        return "during"
    return "after"


def summarise(samples: list[Sample], window: Window, settle: float) -> None:
    """Answers per phase, then how long after the fault the first booking succeeded again."""
    print(f"\nfault: {window.note}")
    for name in ("before", "during", "after"):
        group = [s for s in samples if phase(s, window, settle) == name]
        ok = sum(200 <= s.status < 300 for s in group)
        clean = Counter(f"{s.status} {s.code or '-'}" for s in group if s.clean and not 200 <= s.status < 300)
        unclean = Counter("no answer" if s.status == 0 else str(s.status) for s in group if not s.clean)
        reads = [s for s in group if s.op.startswith("read.")]
        print(f"  {name:<7} {len(group):>6} requests: {ok} succeeded; clean errors {dict(clean) or 0}; "
              f"unclean {dict(unclean) or 0}; reads succeeded {sum(200 <= s.status < 300 for s in reads)}"
              f"/{len(reads)}")
    writes = sorted((s for s in samples if s.op.startswith(("book", "request.")) and s.start >= window.start),
                    key=lambda s: s.start)
    failures = [s for s in writes if not 200 <= s.status < 400]
    if failures:
        last_failure = failures[-1].start + failures[-1].ms / 1000
        recovered = next((s for s in writes if s.start >= last_failure and 200 <= s.status < 300), None)
        print(f"  writes failed from {failures[0].start:.1f} s to {last_failure:.1f} s (outage seen by the clients "
              f"{last_failure - failures[0].start:.1f} s); the first write after the last failure succeeded "
              + (f"{recovered.start - last_failure:.2f} s after it" if recovered else "never"))
    else:
        print("  no write failed")


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--fault", choices=("db-restart", "worker-kill", "read-only"), required=True)
    args = parser.parse_args()
    window = Window()
    if args.fault == "db-restart":
        during = restart_database(args.seconds, window)
    elif args.fault == "worker-kill":
        during = kill_workers(args.seconds, window)
    else:
        during = read_only(args.database_url, args.seconds, window)
    ok = run(args, during, after=lambda traffic: summarise(traffic.samples, window, settle=2.0))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
