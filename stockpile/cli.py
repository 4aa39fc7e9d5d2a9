"""The `stockpile` command: Flask's CLI on the app factory, with Stockpile's own commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from stockpile.errors import DomainError


def main() -> None:
    """Entry point of the `stockpile` console script."""
    from stockpile.app import create_app

    group = FlaskGroup(create_app=create_app, help="Stockpile: the national PPE stockpile.")
    group(prog_name="stockpile")


def fail_on_domain_error(error: DomainError) -> click.ClickException:
    """A service's refusal as a clean command-line error, its field messages included."""
    details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.errors.items())
    return click.ClickException(f"{error.message} {details}".strip())


def init_app(app: Flask) -> None:
    """Attach every domain's commands."""
    from stockpile import backup, migrate, scheduler, seed
    from stockpile.auth import cli as auth_cli
    from stockpile.forecast import cli as forecast_cli
    from stockpile.inventory import cli as inventory_cli

    app.cli.add_command(migrate.db_group)
    for command in (*auth_cli.commands, *inventory_cli.commands, *forecast_cli.commands, *backup.commands,
                    seed.seed_demo, scheduler.scheduler_command):
        app.cli.add_command(command)
