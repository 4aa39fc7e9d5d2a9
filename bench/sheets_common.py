"""What the spreadsheet benchmarks share: a database of their own, reference data, a signed-in client, the machine."""

from __future__ import annotations

import os
import platform
import resource
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from flask import Flask
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url

from stockpile import create_app
from stockpile.auth.models import Role, User
from stockpile.db import session, transaction
from stockpile.ops import migrate
from stockpile.reference.models import Item, ItemCategory, Region, Warehouse

ITEMS = 200
WAREHOUSES = 25


@contextmanager
def own_database(url: str | None) -> Iterator[str]:
    """A migrated, empty database: a SQLite file in a temporary folder, or a PostgreSQL database that must not exist
    yet and is dropped afterwards."""
    if url is None or url.startswith("sqlite"):
        folder = tempfile.mkdtemp(prefix="sheets-bench-")
        url = url or f"sqlite:///{folder}/bench.sqlite"
        migrate.upgrade(url)
        yield url
        return
    parsed = make_url(url)
    if parsed.host not in ("127.0.0.1", "localhost"):
        raise SystemExit("the benchmark runs against a loopback database only")
    admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (parsed.database,)).fetchone():
            raise SystemExit(f"database {parsed.database} exists; the benchmark makes its own")
        conn.execute(f'CREATE DATABASE "{parsed.database}"')
    try:
        migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


def app_for(url: str) -> Flask:
    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False})


def seed_reference(app: Flask, role: Role) -> str:
    """ITEMS items and WAREHOUSES warehouses, and a user of the role; returns the user's session token."""
    with app.app_context(), transaction():
        session().execute(insert(Item), [
            {"code": f"I{n:03d}", "name": f"Bench item {n}", "category": ItemCategory.HAND, "unit_of_issue": "piece",
             "units_per_pack": 10, "en_standard": "EN 455", "shelf_life_months": 60, "lead_time_days": 21,
             "safety_stock_days": 14, "active": True} for n in range(ITEMS)])
        region = session().scalar(select(Region).where(Region.code == "VR09"))
        session().execute(insert(Warehouse), [
            {"code": f"WH-{n:02d}", "name": f"Bench warehouse {n}", "address": "", "region_id": region.id if region
             else None, "active": True} for n in range(WAREHOUSES)])
        user = User(email=f"bench-{role.value}@bench.example", password_hash="x", role=role)
        session().add(user)
        session().flush()
        return user.session_token


def signed_in(app: Flask, token: str) -> Any:
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = token
        sess["_fresh"] = True
    return client


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine(url: str) -> str:
    database = "SQLite"
    if url.startswith("postgresql"):
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(dsn) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        database = f"PostgreSQL {row[0] if row else '?'}"
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    return (f"machine: {platform.machine()} cpus={os.cpu_count()} python={platform.python_version()} {database}; "
            f"load average {load}")
