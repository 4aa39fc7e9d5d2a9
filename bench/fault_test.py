"""Faults under load: the load test of bench/load_test.py with one fault injected while the traffic runs.

    .venv/bin/python bench/fault_test.py --fault db-restart --seconds 30    # restarts the local PostgreSQL 15 cluster
    .venv/bin/python bench/fault_test.py --fault worker-kill --seconds 30   # kill -9 a gunicorn worker, five times
    .venv/bin/python bench/fault_test.py --fault read-only --seconds 30     # the database read-only for a third
    .venv/bin/python bench/fault_test.py --fault disk-full --seconds 30     # the ledger's own small disk full (root)

db-restart runs `pg_ctlcluster --skip-systemctl-redirect <version> main restart` (root, local cluster only): every
database on the server goes away for a few seconds. read-only sets `default_transaction_read_only` on the test's
own database and ends its connections, then resets it. disk-full puts the ledger table in a tablespace on a small
tmpfs and fills it for a third of the run. After each, the script prints the answers before, during
and after the fault (successes, clean errors by code, unclean ones: a 500, an HTML page, no answer), how long the
service took to book again, `stockpile check-ledger` and whether any booking was lost or doubled.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
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
    xids: list[str] = field(default_factory=list)


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


def kill_workers(url: str, seconds: float, window: Window, kills: int = 5) -> Any:
    """kill -9 a worker whose transaction has written to the stock tables and not yet committed, `kills` times."""
    admin = admin_dsn(url, own=True)

    def during(server: Gunicorn, traffic: Traffic) -> None:
        killed = []
        with psycopg.connect(admin, autocommit=True) as conn:
            for n in range(kills):
                at = wait_until(traffic, seconds * (0.2 + 0.12 * n))
                window.start = window.start or at
                pid, xid, statement = booking_in_flight(conn, server)
                os.kill(pid, signal.SIGKILL)
                if xid:
                    window.xids.append(xid)
                killed.append(f"{pid} at {at:.1f} s " + (f"mid-booking (open transaction {xid}, last statement "
                                                         f"{statement!r})" if xid else "(no booking caught in flight)"))
        window.end = time.monotonic() - traffic.started
        time.sleep(1)  # let the master reap the last one before listing the workers
        window.note = "killed (SIGKILL) workers:\n    " + "\n    ".join(killed) + \
            f"\n  workers now {sorted(server.workers())}"

    return during


def booking_in_flight(conn: psycopg.Connection[Any], server: Gunicorn, tries: int = 600) -> tuple[int, str, str]:
    """A worker whose open transaction has written a movement or a balance (its xid assigned), found through its
    pooled connection's client port; a random worker if none is caught within `tries` looks 5 ms apart."""
    ports = worker_ports(server)
    for attempt in range(tries):
        if attempt % 100 == 99:
            ports = worker_ports(server)  # a pool may have opened a new connection
        rows = conn.execute(
            "SELECT client_port, backend_xid::text, left(query, 40) FROM pg_stat_activity WHERE datname = "
            "current_database() AND backend_xid IS NOT NULL AND (query LIKE '%stock_movements%' "
            "OR query LIKE '%stock_balances%')").fetchall()
        for port, xid, query in rows:
            if port in ports:
                return ports[port], xid, query
        time.sleep(0.005)
    return random.choice(server.workers()), "", ""


def worker_ports(server: Gunicorn) -> dict[int, int]:
    """Local TCP port of each worker socket -> the worker's pid (from /proc/net/tcp and the workers' fds)."""
    inode_to_pid = {}
    for pid in server.workers():
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
                if target.startswith("socket:["):
                    inode_to_pid[target[8:-1]] = pid
        except OSError:
            continue
    ports = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        columns = line.split()
        if columns[9] in inode_to_pid:
            ports[int(columns[1].split(":")[1], 16)] = inode_to_pid[columns[9]]
    return ports


def transaction_outcomes(url: str, xids: list[str]) -> None:
    """What became of the killed workers' open transactions (PostgreSQL keeps each transaction's status)."""
    if not xids:
        return
    with psycopg.connect(admin_dsn(url, own=True)) as conn:
        epoch = conn.execute("SELECT pg_current_xact_id()::text::bigint >> 32").fetchone()
        outcomes = Counter(
            str(row[0]) for xid in xids
            for row in [conn.execute("SELECT pg_xact_status(((%s::bigint << 32) | %s::bigint)::text::xid8)",
                                     (epoch[0] if epoch else 0, int(xid))).fetchone()] if row)
    print(f"  the killed workers' open transactions: {dict(outcomes)} ('committed': the commit came between the look "
          "and the kill; 'aborted': the kill rolled it back)")


def admin_dsn(url: str, own: bool = False) -> str:
    """A psycopg DSN for the server's `postgres` database, or with `own` for the test's database."""
    target = make_url(url).set(drivername="postgresql")
    return (target if own else target.set(database="postgres")).render_as_string(hide_password=False)


def read_only(url: str, seconds: float, window: Window) -> Any:
    name = make_url(url).database
    admin = admin_dsn(url)

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


class SmallDisk:
    """A 16 MiB tmpfs holding a tablespace for the ledger table, filled up to make the disk full (root only).

    Only `stock_movements` moves there, so the write-ahead log and every other file stay on the real disk: a full
    tablespace makes inserts fail with SQLSTATE 53100 (disk full) without endangering the cluster, as a full WAL
    disk would (PostgreSQL stops).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.name = f"{make_url(url).database}_small_disk"
        self.path = Path(tempfile.mkdtemp(prefix="stockpile-small-disk-"))
        self.filler = self.path / "filler"
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(self.path)], check=True)
        (self.path / "pg").mkdir()
        shutil.chown(self.path / "pg", "postgres", "postgres")

    def move_ledger(self) -> None:
        with psycopg.connect(admin_dsn(self.url, own=True), autocommit=True) as conn:
            conn.execute(f"CREATE TABLESPACE \"{self.name}\" LOCATION '{self.path / 'pg'}'")
            conn.execute(f'ALTER TABLE stock_movements SET TABLESPACE "{self.name}"')

    def fill(self, leave: int = 16 * 1024) -> int:
        free = os.statvfs(self.path).f_bavail * os.statvfs(self.path).f_frsize
        with self.filler.open("wb") as out:
            out.write(b"\0" * max(free - leave, 0))
        return free - leave

    def free_up(self) -> None:
        self.filler.unlink()

    def remove(self) -> None:
        """After the database is dropped: drop the empty tablespace, unmount, remove the mount point."""
        with psycopg.connect(admin_dsn(self.url), autocommit=True) as conn:
            conn.execute(f'DROP TABLESPACE IF EXISTS "{self.name}"')
        subprocess.run(["umount", str(self.path)], check=False)
        self.path.rmdir()


def disk_full(disk: SmallDisk, seconds: float, window: Window) -> Any:
    def during(_server: Gunicorn, traffic: Traffic) -> None:
        wait_until(traffic, 0)
        disk.move_ledger()
        window.start = wait_until(traffic, seconds * 0.3)
        filled = disk.fill()
        wait_until(traffic, seconds * 0.6)
        disk.free_up()
        window.end = time.monotonic() - traffic.started
        window.note = (f"the ledger table's 16 MiB disk filled ({filled // 1024} KiB of filler) from "
                       f"{window.start:.1f} s to {window.end:.1f} s, then the filler removed")

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
        print(f"  {len(failures)} writes failed, from {failures[0].start:.1f} s to {last_failure:.1f} s; the first "
              "write after the last failure succeeded " + (f"{recovered.start - last_failure:.2f} s after it"
                                                            if recovered else "never"))
    else:
        print("  no write failed")


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--fault", choices=("db-restart", "worker-kill", "read-only", "disk-full"), required=True)
    args = parser.parse_args()
    window = Window()
    disk = SmallDisk(args.database_url) if args.fault == "disk-full" else None
    if args.fault == "db-restart":
        during = restart_database(args.seconds, window)
    elif args.fault == "worker-kill":
        during = kill_workers(args.database_url, args.seconds, window)
    elif disk:
        during = disk_full(disk, args.seconds, window)
    else:
        during = read_only(args.database_url, args.seconds, window)
    def after(traffic: Traffic) -> None:
        summarise(traffic.samples, window, settle=2.0)
        transaction_outcomes(args.database_url, window.xids)

    try:
        ok = run(args, during, after)
    finally:
        if disk:
            disk.remove()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
