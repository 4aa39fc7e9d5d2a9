"""Test databases: a SQLite file always, PostgreSQL when STOCKPILE_TEST_DATABASE_URL names a server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

PG_SERVER_ENV = "STOCKPILE_TEST_DATABASE_URL"


def backends() -> list[str]:
    """The database kinds this run covers."""
    return ["sqlite", "postgresql"] if os.environ.get(PG_SERVER_ENV) else ["sqlite"]


@contextmanager
def fresh_database(kind: str, tmp_dir: Path) -> Iterator[str]:
    """An empty database of the kind, dropped afterwards; yields its SQLAlchemy URL."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_dir / f'stockpile-{uuid.uuid4().hex[:8]}.sqlite'}"
        return
    server = make_url(os.environ[PG_SERVER_ENV]).set(drivername="postgresql+psycopg")
    name = f"stockpile_test_{uuid.uuid4().hex[:12]}"
    admin_dsn = server.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
