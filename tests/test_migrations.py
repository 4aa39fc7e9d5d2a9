"""Migrations: an empty database goes up to head, matches the models, and comes back down to nothing."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from stockpile.db import make_engine
from stockpile.models import metadata
from stockpile.ops import migrate
from stockpile.ops.migrate import include_object
from tests.databases import backends, fresh_database


@pytest.mark.parametrize("kind", backends())
def test_upgrade_matches_models_and_downgrade_empties(kind, tmp_path) -> None:
    with fresh_database(kind, tmp_path) as url:
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                context = MigrationContext.configure(
                    connection, opts={"compare_type": True, "include_object": include_object}
                )
                assert compare_metadata(context, metadata) == []
                assert connection.execute(text("SELECT count(*) FROM regions")).scalar() == 25
            migrate.downgrade(url, "base")
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        finally:
            engine.dispose()
