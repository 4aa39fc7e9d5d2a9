"""Load test: gunicorn with several workers on PostgreSQL, mixed traffic from a pool of HTTP clients on 127.0.0.1.

    .venv/bin/python bench/load_test.py --seconds 60 --clients 16 --workers 4

The script creates its own database (it refuses one that exists) and drops it at the end, migrates it, seeds the
demo catalogue with released stock, makes a region, a logistics and a continuity user with API tokens, starts
`gunicorn -w N -b 127.0.0.1:<free port> wsgi:app` and drives, for a bounded time and number of operations:
region drafts + submissions, logistics issues (half with an idempotency key, some retried with the same key) and
reads of the stock overview, the request list and the scarcity flags. It prints throughput, p50/p95/p99 latency per
operation and errors by status, then runs `stockpile check-ledger` and checks that every booking the clients saw
exists exactly once. bench/fault_test.py reuses it to restart the database, kill workers or make it read-only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from inventory_bench import own_database
from sqlalchemy import select
from sqlalchemy.engine import make_url

from stockpile import create_app
from stockpile.auth import services as auth_services
from stockpile.auth.models import Role
from stockpile.db import local_today, session, transaction
from stockpile.inventory import services
from stockpile.inventory.models import QualityStatus
from stockpile.ops import migrate
from stockpile.ops.seed import seed_reference
from stockpile.reference.models import EssentialProcess, Item, Warehouse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REASON = "load test"
MAX_OPERATIONS = 500_000  # a second bound beside the time: no loop runs on without end


@dataclass
class Fixture:
    """What the traffic needs: tokens, lots in stock, processes, items and a delivery warehouse."""

    region: str
    logistics: str
    continuity: str
    stock: list[tuple[int, int]]
    processes: list[int]
    items: list[int]
    warehouse: int


def seed(url: str) -> Fixture:
    """Migrate, load the demo catalogue, receive released stock and make one user and token per role used."""
    migrate.upgrade(url)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "load-test"})
    with app.app_context(), transaction():
        seed_reference()
        tokens = {}
        for role, region in ((Role.REGION, "VR09"), (Role.LOGISTICS, None), (Role.CONTINUITY, None)):
            email = f"load-{role.value}@stockpile.example"
            auth_services.create_user(email, "load-test-password", role, region)
            tokens[role] = auth_services.create_token(email)
        items = list(session().scalars(select(Item.id).order_by(Item.id)))
        warehouses = list(session().scalars(select(Warehouse.id).order_by(Warehouse.id)))
        stock = []
        for n, item_id in enumerate(items):
            for wh in warehouses[:2]:
                movement = services.receive(
                    item_id=item_id, lot_number=f"LOAD-{n:03d}-{wh}", supplier="Load",
                    quality_status=QualityStatus.RELEASED, expiry_date=local_today() + dt.timedelta(days=900),
                    warehouse_id=wh, quantity=1_000_000,
                    reason="load test stock", user_id=None)
                stock.append((movement.lot_id, wh))
        processes = list(session().scalars(select(EssentialProcess.id)))
    app.extensions["stockpile.engine"].dispose()
    return Fixture(tokens[Role.REGION], tokens[Role.LOGISTICS], tokens[Role.CONTINUITY], stock, processes, items,
                   warehouses[0])


def free_port() -> int:
    """A free loopback port (bound for a moment, then released for gunicorn)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gunicorn:
    """gunicorn serving wsgi:app on 127.0.0.1 as a child process, its log in a temporary file."""

    def __init__(self, url: str, workers: int) -> None:
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="stockpile-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        env = {**os.environ, "STOCKPILE_DATABASE_URL": url, "STOCKPILE_SECRET_KEY": "load-test"}
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--timeout", "30",
             "--graceful-timeout", "5", "wsgi:app"], cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.wait_ready()

    def wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log.name}")
            if call(self.port, "GET", "/health").status == 200:
                return
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer /health within {seconds} s; see {self.log.name}")

    def workers(self) -> list[int]:
        """The pids of the master's worker processes."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid and fields[0] != "Z":  # a killed worker not yet reaped
                pids.append(int(stat.parent.name))
        return pids

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@contextmanager
def serving(url: str, workers: int) -> Iterator[Gunicorn]:
    server = Gunicorn(url, workers)
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Answer:
    status: int  # 0: no answer (connection refused, reset or timed out)
    body: Any = None
    json_shape: bool = False


def call(port: int, method: str, path: str, token: str | None = None, body: Any = None,
         timeout: float = 30) -> Answer:
    """One HTTP request on a new loopback connection (gunicorn's sync workers close each one)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    except (OSError, http.client.HTTPException):
        return Answer(0)
    finally:
        conn.close()
    try:
        parsed = json.loads(raw)
    except ValueError:
        return Answer(response.status, raw[:200].decode(errors="replace"))
    shape = isinstance(parsed, dict) and set(parsed) == {"code", "status", "message", "errors"}
    return Answer(response.status, parsed, shape)


@dataclass
class Sample:
    op: str
    start: float  # seconds since the load began
    ms: float
    status: int
    code: str = ""  # the error's `code` when the body has the one error shape
    clean: bool = True  # 2xx-4xx, or a 503 in the error shape; not a 500, an HTML page or no answer


@dataclass
class Ledger:
    """What the clients saw of their bookings, to compare with the database afterwards."""

    acknowledged: set[int] = field(default_factory=set)
    by_key: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    unresolved_keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    ambiguous_unkeyed: int = 0
    replay_mismatches: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Traffic:
    """Mixed traffic from a pool of clients for a bounded time; keeps every sample and the bookings seen."""

    MIX = (("book", 40), ("request", 20), ("read.stock", 15), ("read.requests", 15), ("read.flags", 10))

    def __init__(self, port: int, fixture: Fixture, seed_value: int = 7) -> None:
        self.port, self.fixture = port, fixture
        self.samples: list[Sample] = []
        self.ledger = Ledger()
        self.started = 0.0
        self.rng = random.Random(seed_value)
        self.counter = 0
        self.count_lock = threading.Lock()

    def run(self, clients: int, seconds: float) -> float:
        """Drive the traffic; return the wall time it took."""
        self.started = time.monotonic()
        deadline = self.started + seconds
        with ThreadPoolExecutor(clients) as pool:
            for n in range(clients):
                pool.submit(self.client_loop, random.Random(n * 7919), deadline)
        return time.monotonic() - self.started

    def client_loop(self, rng: random.Random, deadline: float) -> None:
        names, weights = zip(*self.MIX, strict=True)
        while time.monotonic() < deadline and self.next_number() < MAX_OPERATIONS:
            getattr(self, rng.choices(names, weights)[0].replace(".", "_"))(rng)

    def next_number(self) -> int:
        with self.count_lock:
            self.counter += 1
            return self.counter

    def timed(self, op: str, method: str, path: str, token: str, body: Any = None) -> Answer:
        start = time.monotonic()
        answer = call(self.port, method, path, token, body)
        code = answer.body.get("code", "") if answer.json_shape else ""
        clean = answer.status != 0 and (answer.status < 500 or (answer.status == 503 and answer.json_shape))
        self.samples.append(Sample(op, start - self.started, (time.monotonic() - start) * 1000, answer.status, code,
                                   clean))
        return answer

    def book(self, rng: random.Random) -> None:
        lot_id, wh = rng.choice(self.fixture.stock)
        body: dict[str, Any] = {"type": "issue", "lot_id": lot_id, "warehouse_id": wh,
                                "quantity": rng.randint(1, 3), "reason": REASON}
        if rng.random() < 0.5:
            self.book_unkeyed(body)
            return
        body["idempotency_key"] = f"load-{rng.getrandbits(64):016x}"
        self.book_keyed(body, retry=rng.random() < 0.3)

    def book_unkeyed(self, body: dict[str, Any]) -> None:
        answer = self.timed("book", "POST", "/api/v1/movements", self.fixture.logistics, body)
        with self.ledger.lock:
            if answer.status == 201:
                self.ledger.acknowledged.add(answer.body["id"])
            elif answer.status == 0 or answer.status >= 500:
                self.ledger.ambiguous_unkeyed += 1  # booked or not: only the database can tell

    def book_keyed(self, body: dict[str, Any], retry: bool) -> None:
        key = body["idempotency_key"]
        answer = self.timed("book.keyed", "POST", "/api/v1/movements", self.fixture.logistics, body)
        if answer.status == 201 and retry:
            again = self.timed("book.retry", "POST", "/api/v1/movements", self.fixture.logistics, body)
            if again.status == 201 and again.body["id"] != answer.body["id"]:
                with self.ledger.lock:
                    self.ledger.replay_mismatches += 1
        with self.ledger.lock:
            if answer.status == 201:
                self.ledger.acknowledged.add(answer.body["id"])
                self.ledger.by_key[key].add(answer.body["id"])
            elif answer.status == 0 or answer.status >= 500:
                self.ledger.unresolved_keys[key] = body  # resolved after the run by asking again with the key

    def request(self, rng: random.Random) -> None:
        needed = (dt.date.today() + dt.timedelta(days=rng.randint(3, 30))).isoformat()
        items = rng.sample(self.fixture.items, rng.randint(1, 3))
        draft = {"essential_process_id": rng.choice(self.fixture.processes), "needed_by": needed,
                 "justification": "load test", "contact": "load test desk",
                 "delivery_warehouse_id": self.fixture.warehouse,
                 "lines": [{"item_id": item, "quantity": rng.randint(10, 500)} for item in items]}
        answer = self.timed("request.create", "POST", "/api/v1/requests", self.fixture.region, draft)
        if answer.status == 201:
            self.timed("request.submit", "POST", f"/api/v1/requests/{answer.body['id']}/submit", self.fixture.region,
                       {})

    def read_stock(self, rng: random.Random) -> None:
        self.timed("read.stock", "GET", "/api/v1/stock?page_size=50", self.fixture.logistics)

    def read_requests(self, rng: random.Random) -> None:
        self.timed("read.requests", "GET", "/api/v1/requests?page_size=20", self.fixture.region)

    def read_flags(self, rng: random.Random) -> None:
        self.timed("read.flags", "GET", "/api/v1/forecast/flags", self.fixture.continuity)

    def resolve_keys(self) -> None:
        """Ask again, with the same key, for every keyed booking whose answer was lost or a 5xx."""
        asked = dt.datetime.now(dt.UTC)
        found = booked = 0
        for key, body in list(self.ledger.unresolved_keys.items()):
            answer = call(self.port, "POST", "/api/v1/movements", self.fixture.logistics, body)
            if answer.status == 201:
                self.ledger.acknowledged.add(answer.body["id"])
                self.ledger.by_key[key].add(answer.body["id"])
                del self.ledger.unresolved_keys[key]
                if dt.datetime.fromisoformat(answer.body["created_at"]) < asked:
                    found += 1
                else:
                    booked += 1
        print(f"keyed bookings without an answer or with a 5xx, asked again with their key: {found} had been booked "
              f"(the first answer was lost), {booked} had not and were booked now, "
              f"{len(self.ledger.unresolved_keys)} still without an answer")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))] if ordered else float("nan")


def report(samples: list[Sample], wall: float) -> None:
    """Throughput, latency percentiles per operation and errors by status."""
    print(f"\n{len(samples)} requests in {wall:.1f} s: {len(samples) / wall:.1f} requests/s")
    print(f"{'operation':<16}{'count':>8}{'per s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  statuses")
    by_op: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_op[sample.op].append(sample)
    for op in sorted(by_op):
        group = by_op[op]
        ok = [s.ms for s in group if 200 <= s.status < 300]
        statuses = Counter(s.status for s in group)
        print(f"{op:<16}{len(group):>8}{len(group) / wall:>8.1f}{percentile(ok, 50):>9.1f}{percentile(ok, 95):>9.1f}"
              f"{percentile(ok, 99):>9.1f}  " + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())))
    errors = Counter((s.status, s.code) for s in samples if not 200 <= s.status < 300)
    print("errors by status: " + (", ".join(f"{status} {code or '-'}: {n}" for (status, code), n in
                                           sorted(errors.items())) or "none"))
    print(f"unclean answers (500, HTML, no answer): {sum(not s.clean for s in samples)}")


def check_ledger(url: str) -> bool:
    """Run `stockpile check-ledger` against the database; True when it finds no difference."""
    result = subprocess.run([str(BIN / "stockpile"), "check-ledger"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "STOCKPILE_DATABASE_URL": url, "STOCKPILE_SECRET_KEY": "load-test"},
                            check=False, timeout=300)
    print(f"stockpile check-ledger (exit {result.returncode}): {(result.stdout + result.stderr).strip()}")
    return result.returncode == 0


def check_bookings(url: str, traffic: Traffic) -> bool:
    """Every booking a client saw exists once, every key has one movement, every movement its audit record."""
    ledger = traffic.ledger
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        rows = conn.execute("SELECT id, idempotency_key FROM stock_movements WHERE reason = %s", (REASON,)).fetchall()
        unaudited = conn.execute(
            "SELECT count(*) FROM stock_movements m WHERE m.reason = %s AND NOT EXISTS (SELECT 1 FROM audit_events a"
            " WHERE a.object_type = 'StockMovement' AND a.object_id = m.id)", (REASON,)).fetchone()
    in_db = {row[0] for row in rows}
    keys_in_db = Counter(row[1] for row in rows if row[1])
    lost = ledger.acknowledged - in_db
    split_keys = [k for k, ids in ledger.by_key.items() if len(ids) != 1]
    doubled_keys = [k for k, n in keys_in_db.items() if n != 1]
    unkeyed_unseen = len([r for r in rows if r[0] not in ledger.acknowledged and not r[1]])
    keyed_unseen = len([r for r in rows if r[0] not in ledger.acknowledged and r[1]])
    print(f"movements booked by the clients in the database: {len(in_db)}; acknowledged with 201: "
          f"{len(ledger.acknowledged)}; acknowledged but missing: {len(lost)}")
    print(f"keys with more than one movement id: {len(split_keys)} seen by clients, {len(doubled_keys)} in the "
          f"database; retries answering another id: {ledger.replay_mismatches}; keyed movements never acknowledged: "
          f"{keyed_unseen}; keys still unresolved: {len(ledger.unresolved_keys)}")
    print(f"unkeyed bookings without an answer or with a 5xx: {ledger.ambiguous_unkeyed}, of which booked after "
          f"all: {unkeyed_unseen}; movements without an audit record: {unaudited[0] if unaudited else '?'}")
    return not (lost or split_keys or doubled_keys or ledger.replay_mismatches or keyed_unseen
                or ledger.unresolved_keys or unkeyed_unseen > ledger.ambiguous_unkeyed or (unaudited and unaudited[0]))


def machine(url: str) -> None:
    dsn = make_url(url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    gunicorn = subprocess.run([str(BIN / "gunicorn"), "--version"], capture_output=True, text=True, check=False)
    print(f"machine: {platform.node()} {platform.machine()} cpus={os.cpu_count()} python={platform.python_version()} "
          f"postgresql={row[0] if row else '?'} {gunicorn.stdout.strip() or gunicorn.stderr.strip()}")


def arguments(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/stockpile_load",
                        help="a PostgreSQL database that does not exist yet; made and dropped by the script")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    return parser


def run(args: argparse.Namespace, during: Callable[[Gunicorn, Traffic], Any] | None = None,
        after: Callable[[Traffic], Any] | None = None) -> bool:
    """Set up, serve, drive traffic (`during` beside it, `after` once it ends), report, check; True when all pass."""
    if make_url(args.database_url).host not in ("127.0.0.1", "localhost"):
        raise SystemExit("the load test runs against a loopback database only")
    machine(args.database_url)
    with own_database(args.database_url):
        start = time.perf_counter()
        fixture = seed(args.database_url)
        print(f"seeded in {time.perf_counter() - start:.1f} s: {len(fixture.stock)} lots in stock")
        with serving(args.database_url, args.workers) as server:
            traffic = Traffic(server.port, fixture)
            print(f"gunicorn -w {args.workers} on 127.0.0.1:{server.port}; {args.clients} clients for {args.seconds} s")
            side = threading.Thread(target=during, args=(server, traffic), daemon=True) if during else None
            if side:
                side.start()
            wall = traffic.run(args.clients, args.seconds)
            if side:
                side.join(timeout=120)
            report(traffic.samples, wall)
            if after:
                after(traffic)
            traffic.resolve_keys()
        ledger_ok = check_ledger(args.database_url)
        bookings_ok = check_bookings(args.database_url, traffic)
    print(f"nothing lost or doubled: {'yes' if ledger_ok and bookings_ok else 'NO'}")
    return ledger_ok and bookings_ok


def main() -> None:
    args = arguments(__doc__ or "").parse_args()
    sys.exit(0 if run(args) else 1)


if __name__ == "__main__":
    main()
