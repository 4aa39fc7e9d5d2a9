"""`stockpile backup` and `stockpile restore`: consistent copies of a SQLite database taken while it runs.

PostgreSQL has its own tools; the README documents the pg_dump / pg_restore procedure.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url


def sqlite_path(url: str) -> Path:
    """The file behind a SQLite URL, or a ClickException for any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        raise click.ClickException(
            "backup and restore work on SQLite files; for PostgreSQL use pg_dump and pg_restore (see the README)."
        )
    return Path(parsed.database)


def copy_database(source: Path, target: Path) -> None:
    """Copy with SQLite's online backup API: a consistent snapshot even while others write."""
    with sqlite3.connect(source, timeout=30) as src, sqlite3.connect(target) as dst:
        src.backup(dst, pages=1024)
    dst.close()
    src.close()


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(target: Path) -> None:
    """Write a consistent copy of the SQLite database to TARGET while the service keeps running."""
    source = sqlite_path(current_app.config["DATABASE_URL"])
    if target.exists():
        raise click.ClickException(f"{target} exists; choose a new file so no backup is overwritten.")
    copy_database(source, target)
    click.echo(f"Backed up {source} to {target}.")


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the current database without asking.")
@with_appcontext
def restore_command(source: Path, yes: bool) -> None:
    """Replace the SQLite database with the backup SOURCE (stop the service first)."""
    target = sqlite_path(current_app.config["DATABASE_URL"])
    _check_is_stockpile_backup(source)
    if target.exists() and not yes:
        click.confirm(f"Replace {target} with {source}?", abort=True)
    copy_database(source, target)
    click.echo(f"Restored {source} into {target}. Run `stockpile check-ledger` to verify it.")


def _check_is_stockpile_backup(source: Path) -> None:
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as conn:
            conn.execute("SELECT version_num FROM alembic_version").fetchone()
        conn.close()
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"{source} is not a Stockpile database: {error}") from error


commands = [backup_command, restore_command]
