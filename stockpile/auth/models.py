"""Users with one role each, and their personal API tokens (stored hashed)."""

from __future__ import annotations

import datetime as dt
import enum
import secrets

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stockpile.db import Base, UTCDateTime, utcnow
from stockpile.reference.models import Region, str_enum


class Role(enum.StrEnum):
    """What a user may do: a region asks, logistics books, continuity decides, admin keeps the rest."""

    REGION = "region"
    LOGISTICS = "logistics"
    CONTINUITY = "continuity"
    ADMIN = "admin"


class User(Base):
    """A person who signs in; region users are bound to exactly one region."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "(role = 'region' AND region_id IS NOT NULL) OR (role <> 'region' AND region_id IS NULL)",
            name="region_iff_region_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Flask-Login's alternative id: rotating it ends every session signed in before.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=lambda: secrets.token_hex(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The language the user chose for the pages ("nl", "en"); None follows the browser.
    locale: Mapped[str | None] = mapped_column(String(8))

    region: Mapped[Region | None] = relationship(lazy="joined")

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token

    def __str__(self) -> str:
        return self.email


class ApiToken(Base):
    """A personal bearer token; only its SHA-256 is stored, the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # What the owner calls it ("stock sync script"), so a list of tokens says which one to revoke.
    name: Mapped[str] = mapped_column(String(80), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Recorded at most every few minutes (stockpile.auth.services.LAST_USE_STEP), not on every request.
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(lazy="joined")


class LoginFailure(Base):
    """A failed sign-in, kept in the database so every worker and host counts the same attempts."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # HMAC-SHA256 of the normalised email (stockpile.auth.throttle): never the text that was typed.
    account_key: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
