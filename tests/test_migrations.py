"""Migrations: an empty database goes up to head, matches the models, and comes back down to nothing."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from stockpile import create_app
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


@pytest.mark.slow
@pytest.mark.parametrize("kind", backends())
def test_a_seeded_demo_database_goes_down_to_base_and_up_again(kind, tmp_path) -> None:
    """Every downgrade with data in it: the demo's users, warehouses in regions, ledger, requests and history."""
    with fresh_database(kind, tmp_path) as url:
        migrate.upgrade(url)
        app = create_app({"TESTING": True, "SECRET_KEY": "seeded", "DATABASE_URL": url})
        try:
            result = app.test_cli_runner().invoke(args=["seed-demo"])
            assert result.exit_code == 0, result.output
        finally:
            app.extensions["stockpile.engine"].dispose()
        migrate.downgrade(url, "base")
        engine = make_engine(url)
        try:
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        finally:
            engine.dispose()
        migrate.upgrade(url)
