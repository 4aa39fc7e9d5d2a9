"""Commands to create users and personal API tokens."""

from __future__ import annotations

import click

from stockpile.auth import services
from stockpile.auth.models import Role
from stockpile.db import transaction
from stockpile.errors import DomainError, fail_on_domain_error


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True, help="At least 12 characters.")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--region", "region_code", default=None, help="Region code such as VR09 (region users only).")
@click.option("--name", default="")
def create_user(email: str, password: str, role: str, region_code: str | None, name: str) -> None:
    """Create a user who can sign in."""
    try:
        with transaction():
            user = services.create_user(email, password, role, region_code, name)
    except DomainError as error:
        raise fail_on_domain_error(error) from error
    click.echo(f"Created {user.role.value} user {user.email}.")


@click.command("create-token")
@click.argument("email")
@click.option("--days", default=365, show_default=True, help="Days until the token expires (0: never).")
def create_token(email: str, days: int) -> None:
    """Create a personal API token; the token is printed once, as the last line."""
    try:
        with transaction():
            token = services.create_token(email, days or None)
    except DomainError as error:
        raise fail_on_domain_error(error) from error
    click.echo(f"Token for {email} (shown once, keep it secret):")
    click.echo(token)


commands = [create_user, create_token]
