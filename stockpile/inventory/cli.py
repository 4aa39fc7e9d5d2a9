"""Inventory commands: the ledger check and the nightly expiry of lots."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from stockpile.db import transaction
from stockpile.inventory import queries, services
from stockpile.inventory.models import StockBalance


@click.command("check-ledger")
@with_appcontext
def check_ledger_command() -> None:
    """Recompute every balance from the ledger; exit 1 if any differs."""
    with transaction() as sess:
        differences = queries.check_ledger()
        checked = sess.scalar(select(func.count()).select_from(StockBalance)) or 0
    for diff in differences:
        click.echo(f"lot {diff.lot_id} in warehouse {diff.warehouse_id}: balance {diff.balance}, "
                   f"ledger {diff.ledger}")
    if differences:
        click.echo(f"{len(differences)} difference(s) between ledger and balances", err=True)
        sys.exit(1)
    click.echo(f"ledger and balances agree ({checked} balances checked)")


@click.command("expire-lots")
@with_appcontext
def expire_lots_command() -> None:
    """Mark every lot past its expiry date as expired."""
    with transaction():
        expired = services.mark_expired_lots()
    click.echo(f"{len(expired)} lot(s) marked expired")


commands = [check_ledger_command, expire_lots_command]
