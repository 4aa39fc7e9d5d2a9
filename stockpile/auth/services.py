"""The verbs of sign-in: create users, set passwords, deactivate, authenticate, issue and check tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from werkzeug.security import check_password_hash, generate_password_hash

from stockpile import audit
from stockpile.auth.models import ApiToken, Role, User
from stockpile.db import session, utcnow
from stockpile.errors import FieldErrors, NotFound
from stockpile.reference.models import Region

MIN_PASSWORD_LENGTH = 12
# Checked against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password-but-equally-slow")


def hash_password(password: str) -> str:
    """Hash with the configured method (scrypt by default; tests may pick a faster one)."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def validate_password(password: str, field: str = "password") -> None:
    """Refuse passwords too short to survive a guess."""
    if len(password) < MIN_PASSWORD_LENGTH:
        message = _("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
        raise FieldErrors.one(field, message)


def create_user(
    email: str, password: str, role: Role | str, region_code: str | None = None,
    name: str = "", actor_id: int | None = None,
) -> User:
    """Create a user; a region user needs a region, other roles must not have one."""
    email = normalise_email(email)
    role = _parse_role(role)
    validate_password(password)
    if session().scalar(select(User.id).where(User.email == email)) is not None:
        raise FieldErrors.one("email", _("A user with this email already exists."))
    region = _region_for_role(role, region_code)
    user = User(email=email, name=name, password_hash=hash_password(password), role=role, region=region)
    session().add(user)
    session().flush()
    audit.record(actor_id, "user.create", user, email=email, role=role.value, region=region_code)
    return user


def update_user(user: User, role: Role | str, region_code: str | None, name: str, actor_id: int | None) -> User:
    """Change a user's name, role or region; a role change is audited and ends the user's sessions."""
    role = _parse_role(role)
    region = _region_for_role(role, region_code)
    old_role = user.role
    user.name, user.role, user.region = name, role, region
    if old_role != role:
        rotate_sessions(user)
        audit.record(actor_id, "user.role_change", user, old=old_role.value, new=role.value)
    session().flush()
    audit.record(actor_id, "user.update", user, role=role.value, region=region_code, name=name)
    return user


def set_password(user: User, password: str, actor_id: int | None) -> None:
    """Set a new password; every session signed in with the old one ends and every API token is revoked."""
    validate_password(password)
    user.password_hash = hash_password(password)
    rotate_sessions(user)
    revoke_all_tokens(user)
    session().flush()
    audit.record(actor_id, "user.password_reset", user)


def change_own_password(user: User, current: str, new: str, confirm: str) -> None:
    """A user changes their own password; every other session of theirs ends and every API token is revoked."""
    if not check_password_hash(user.password_hash, current):
        raise FieldErrors.one("current", _("That is not your current password."))
    if new != confirm:
        raise FieldErrors.one("confirm", _("The two new passwords differ."))
    validate_password(new)
    user.password_hash = hash_password(new)
    rotate_sessions(user)
    revoke_all_tokens(user)
    session().flush()
    audit.record(user.id, "user.password_change", user)


def set_active(user: User, active: bool, actor_id: int | None) -> None:
    """Deactivate (ending sessions and revoking tokens) or reactivate a user."""
    user.active = active
    if not active:
        rotate_sessions(user)
        revoke_all_tokens(user)
    session().flush()
    audit.record(actor_id, "user.activate" if active else "user.deactivate", user)


def rotate_sessions(user: User) -> None:
    """Give the user a new session token, so cookies issued before are refused."""
    user.session_token = secrets.token_hex(32)


def authenticate(email: str, password: str) -> User | None:
    """The active user with this email and password, or None; never says which part was wrong."""
    user = session().scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


UNKNOWN_ACCOUNT = "unknown account"


def known_account(email: str) -> str:
    """The normalised email if an account has it, else "unknown account": what a failed sign-in may record."""
    email = normalise_email(email)
    return email if session().scalar(select(User.id).where(User.email == email)) is not None else UNKNOWN_ACCOUNT


# Days a new token lives unless asked otherwise; the page and the CLI offer at most MAX_TOKEN_DAYS.
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 365
# A token's last use is written when the recorded one is older than this: often enough to tell a token in use from a
# forgotten one, rarely enough that reading the API does not become writing.
LAST_USE_STEP = dt.timedelta(minutes=5)


def create_token(email: str, days: int | None = DEFAULT_TOKEN_DAYS, actor_id: int | None = None,
                 name: str = "") -> str:
    """Issue a named personal API token for a user and return it; only its hash is kept."""
    user = session().scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        raise NotFound(_("No active user with email %(email)s.", email=email))
    if len(name) > 80:
        raise FieldErrors.one("name", _("Use at most %(n)d characters.", n=80))
    token = "sp_" + secrets.token_urlsafe(32)
    expires = utcnow() + dt.timedelta(days=days) if days else None
    record = ApiToken(user=user, name=name.strip(), token_hash=token_digest(token), expires_at=expires)
    session().add(record)
    session().flush()
    audit.record(actor_id, "token.create", record, user=user.email, name=record.name)
    return token


def user_for_token(token: str) -> User | None:
    """The active user a valid, unexpired, unrevoked token belongs to; the one check of every bearer token."""
    record = session().scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if record is None or record.revoked or not record.user.active:
        return None
    now = utcnow()
    if record.expires_at is not None and record.expires_at <= now:
        return None
    if record.last_used_at is None or record.last_used_at <= now - LAST_USE_STEP:
        _record_use(record.id, now)
    return record.user


def _record_use(token_id: int, now: dt.datetime) -> None:
    """Write the token's last use in a short transaction of its own, before the request reads anything else.

    On SQLite a reading request's transaction never takes the write lock (stockpile.db); writing here first, in a
    transaction that starts with the write, keeps that so. A busy database skips the record: it is bookkeeping, and
    the next request within a few minutes records it.
    """
    sess = session()
    sess.commit()  # ends the read that found the token: nothing was written
    try:
        sess.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
        sess.commit()
    except OperationalError:
        sess.rollback()


def tokens_of(user: User | None) -> list[ApiToken]:
    """A user's tokens (None: everyone's), newest first."""
    stmt = select(ApiToken).order_by(ApiToken.id.desc())
    return list(session().scalars(stmt if user is None else stmt.where(ApiToken.user_id == user.id)))


def revoke_token(token_id: int, actor: User | None) -> ApiToken:
    """Revoke one token: its owner or an administrator may (None: the command line)."""
    record = session().get(ApiToken, token_id)
    if record is None or (actor is not None and actor.role is not Role.ADMIN and record.user_id != actor.id):
        raise NotFound(_("No such token."))
    if not record.revoked:
        record.revoked = True
        session().flush()
        audit.record(actor.id if actor else None, "token.revoke", record, user=record.user.email, name=record.name)
    return record


def revoke_all_tokens(user: User) -> None:
    """Revoke every token of a user: after a password change or reset, or deactivation."""
    session().execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))
                      .values(revoked=True))


def token_digest(token: str) -> str:
    """SHA-256 suffices for tokens: they are long random strings, not guessable passwords."""
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding blanks."""
    return email.strip().lower()


def _parse_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise FieldErrors.one("role", _("Unknown role; choose one of %(choices)s.", choices=choices)) from None


def _region_for_role(role: Role, region_code: str | None) -> Region | None:
    if role is not Role.REGION:
        if region_code:
            raise FieldErrors.one("region", _("Only region users belong to a region."))
        return None
    if not region_code:
        raise FieldErrors.one("region", _("A region user needs a region."))
    region = session().scalar(select(Region).where(Region.code == region_code.strip().upper()))
    if region is None:
        raise FieldErrors.one("region", _("Unknown region %(code)s.", code=region_code))
    return region


def get_user(user_id: int) -> User:
    """A user by id, or NotFound."""
    user = session().get(User, user_id)
    if user is None:
        raise NotFound(_("No such user."))
    return user


def choose_language(user: User, locale: str) -> None:
    """Keep the language a user chose for the pages; it follows them to every browser they sign in with."""
    user.locale = locale
    session().flush()
