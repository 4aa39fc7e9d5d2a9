"""Alembic environment: the app's metadata, types compared, SQLite altered in batches."""

from __future__ import annotations

from alembic import context
from sqlalchemy import pool

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
        context.configure(
            connection=connection,
            target_metadata=metadata,
            compare_type=True,
            render_as_batch=connection.dialect.name == "sqlite",
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
