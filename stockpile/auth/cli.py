"""Commands to create users, and to create, list and revoke personal API tokens."""

from __future__ import annotations

import datetime as dt

import click
from sqlalchemy import select

from stockpile.auth import services
from stockpile.auth.models import Role, User
from stockpile.db import session, transaction, utcnow
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
@click.option("--name", default="", help="What the token is for, shown in the lists of tokens.")
@click.option("--days", default=services.DEFAULT_TOKEN_DAYS, show_default=True,
              help="Days until the token expires (0: never).")
def create_token(email: str, name: str, days: int) -> None:
    """Create a personal API token; the token is printed once, as the last line."""
    try:
        with transaction():
            token = services.create_token(email, days or None, name=name)
    except DomainError as error:
        raise fail_on_domain_error(error) from error
    click.echo(f"Token for {email} (shown once, keep it secret):")
    click.echo(token)


@click.group("tokens")
def tokens_group() -> None:
    """List and revoke personal API tokens."""


@tokens_group.command("list")
@click.option("--email", default=None, help="Only this user's tokens.")
def list_tokens(email: str | None) -> None:
    """Every token (or one user's): id, user, name, created, last used, expires, status; times in UTC."""
    with transaction():
        user = None
        if email is not None:
            user = session().scalar(select(User).where(User.email == services.normalise_email(email)))
            if user is None:
                raise click.ClickException(f"No user with email {email}.")
        now = utcnow()
        click.echo("id\tuser\tname\tcreated_utc\tlast_used_utc\texpires_utc\tstatus")
        for token in services.tokens_of(user):
            status = "revoked" if token.revoked else (
                "expired" if token.expires_at is not None and token.expires_at <= now else "valid")
            click.echo("\t".join([str(token.id), token.user.email, token.name, _utc(token.created_at),
                                  _utc(token.last_used_at), _utc(token.expires_at), status]))


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
def revoke_token(token_id: int) -> None:
    """Revoke one token by its id (from `stockpile tokens list`)."""
    try:
        with transaction():
            record = services.revoke_token(token_id, None)
    except DomainError as error:
        raise fail_on_domain_error(error) from error
    click.echo(f"Revoked token {record.id} ({record.name or 'unnamed'}) of {record.user.email}.")


def _utc(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds") if moment else "-"


commands = [create_user, create_token, tokens_group]
