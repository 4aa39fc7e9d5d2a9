"""Alembic, driven from the `stockpile db` commands with the app's database URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from alembic import command
from alembic.config import Config
from flask import current_app
from flask.cli import with_appcontext

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
# The scheduler's own job store is not Stockpile's schema.
IGNORED_TABLES = {"apscheduler_jobs"}


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Leave tables that other libraries own out of autogenerate and schema comparison."""
    return not (type_ == "table" and name in IGNORED_TABLES)


def alembic_config(url: str) -> Config:
    """An Alembic configuration for a database URL, without an alembic.ini to keep in step."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option(
        "file_template", "%%(year)d%%(month).2d%%(day).2d_%%(hour).2d%%(minute).2d_%%(rev)s_%%(slug)s"
    )
    cfg.attributes["database_url"] = url
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate a database up to a revision."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Migrate a database down to a revision."""
    command.downgrade(alembic_config(url), revision)


def _url() -> str:
    return str(current_app.config["DATABASE_URL"])


@click.group("db")
def db_group() -> None:
    """Database migrations (Alembic)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def upgrade_command(revision: str) -> None:
    """Migrate the database up (to head by default)."""
    upgrade(_url(), revision)


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def downgrade_command(revision: str) -> None:
    """Migrate the database down to REVISION (base: empty)."""
    downgrade(_url(), revision)


@db_group.command("check")
@with_appcontext
def check_command() -> None:
    """Fail if the models differ from the migrated schema."""
    command.check(alembic_config(_url()))


@db_group.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--autogenerate/--empty", default=True)
@with_appcontext
def revision_command(message: str, autogenerate: bool) -> None:
    """Write a new migration file (for developers)."""
    command.revision(alembic_config(_url()), message=message, autogenerate=autogenerate)


@db_group.command("current")
@with_appcontext
def current_command() -> None:
    """Show the database's revision."""
    command.current(alembic_config(_url()))
