"""Alembic environment: the app's metadata, types compared, SQLite altered in batches."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, pool

from stockpile.db import make_engine
from stockpile.models import metadata
from stockpile.ops.migrate import include_object

config = context.config

def run_migrations_online() -> None:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = make_engine(url, poolclass=pool.NullPool)
    with connectable.connect() as connection:
        if connection.dialect.name == "sqlite":
            _sqlite_foreign_keys(connection, on=False)
        context.configure(
            connection=connection,
            target_metadata=metadata,
            compare_type=True,
            render_as_batch=connection.dialect.name == "sqlite",
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
        if connection.dialect.name == "sqlite":
            _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection: Connection, on: bool) -> None:
    """Foreign keys off while migrating SQLite, and checked after.

    A batch migration rebuilds a table by copying it and dropping the old one; with foreign keys on, that DROP
    deletes (ON DELETE CASCADE) every row that refers to the table. The pragma only works outside a transaction,
    hence the DBAPI connection, which the engine keeps in autocommit mode between transactions.
    """
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
    if on:
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the migration: {broken[:10]}")


run_migrations_online()
