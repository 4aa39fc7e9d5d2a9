"""Notifications per user, each user's alert preferences, and the outbox of e-mails still to send."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stockpile.auth.models import User
from stockpile.db import Base, UTCDateTime, utcnow
from stockpile.reference.models import str_enum


class AlertKind(enum.StrEnum):
    """What a notification is about; each user chooses per kind whether and how it reaches them."""

    REQUEST = "request"  # a request of the user's region changed state
    FLAG = "flag"  # a new or worsened critical or warning flag
    RUN_FAILED = "run_failed"  # a forecast run failed
    DELIVERY_OVERDUE = "delivery_overdue"  # an expected delivery passed its date and is still expected


class EmailMode(enum.StrEnum):
    """How a kind of alert reaches a user by e-mail, beside the notification in the app."""

    OFF = "off"
    IMMEDIATE = "immediate"
    DAILY = "daily"  # gathered into one digest a day


class Notification(Base):
    """One alert for one user: what happened (a kind and its figures, rendered in the reader's language), where to
    look, and whether it was read. Made in the same transaction as what it tells of."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_read", "user_id", "read_at"),
                      Index("ix_notifications_subject", "kind", "subject"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[AlertKind] = mapped_column(str_enum(AlertKind, "alert_kind"))
    # What it is about, as "request:12", "item:3", "run:7" or "delivery:5": finds earlier notices of the same thing.
    subject: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(300), default="")  # a path inside the app, or empty
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Waiting for the user's daily digest e-mail.
    digest_pending: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship()


class AlertPreference(Base):
    """A user's choice for one kind of alert; without a row the kind is on, e-mailed at once."""

    __tablename__ = "alert_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    kind: Mapped[AlertKind] = mapped_column(str_enum(AlertKind, "preference_kind"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=True)
    email: Mapped[EmailMode] = mapped_column(str_enum(EmailMode, "email_mode"), default=EmailMode.IMMEDIATE)


class MailStatus(enum.StrEnum):
    """An outbox e-mail: waiting (also after a failed attempt), sent, or given up after too many attempts."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMail(Base):
    """An e-mail written in the transaction of what it tells, sent after the commit by the scheduler's outbox job."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[MailStatus] = mapped_column(str_enum(MailStatus, "mail_status"), default=MailStatus.PENDING)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
