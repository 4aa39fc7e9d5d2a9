"""E-mail through the outbox: written in the transaction of what it tells, sent after the commit, retried.

`enqueue_*` adds a row to `mail_outbox` in the caller's transaction, so an alert whose change is rolled back never
mails anyone, and a request never waits for an SMTP server. The scheduler's `mail-outbox` job (`drain_outbox`) reads
the due rows, sends them with no transaction open, and records each outcome in a short transaction of its own: a
server that is down or refuses leaves the mail pending, tried again after a growing pause (1, 2, 4 … minutes, at
most an hour) until MAIL_MAX_ATTEMPTS, after which it is marked failed. A mail whose sending succeeded but whose
outcome could not be recorded (the process died in between) is sent again: delivery is at least once.

Nothing is queued while STOCKPILE_SMTP_HOST is unset. Mails are written in the user's language (their choice, else
MAIL_DEFAULT_LOCALE), links made absolute with STOCKPILE_BASE_URL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import select, update

from stockpile import formats
from stockpile.alerts import texts
from stockpile.alerts.models import MailStatus, Notification, OutboxMail
from stockpile.auth.models import User
from stockpile.db import session, transaction, utcnow

BATCH = 100
MAX_PAUSE = dt.timedelta(hours=1)


def configured() -> bool:
    """Whether an SMTP server is set (STOCKPILE_SMTP_HOST)."""
    return bool(current_app.config.get("SMTP_HOST"))


def _locale(user: User) -> str:
    return user.locale or str(current_app.config["MAIL_DEFAULT_LOCALE"])


def _absolute(link: str) -> str:
    base = str(current_app.config.get("BASE_URL") or "").rstrip("/")
    return f"{base}{link}" if link else ""


def enqueue(user: User, subject: str, body: str) -> OutboxMail | None:
    """Queue one e-mail to a user in the current transaction (nothing when no SMTP server is set)."""
    if not configured():
        return None
    mail = OutboxMail(user_id=user.id, to_address=user.email, subject=subject[:300], body=body,
                      status=MailStatus.PENDING, created_at=utcnow(), next_attempt_at=utcnow())
    session().add(mail)
    return mail


def enqueue_notification(user: User, notification: Notification) -> OutboxMail | None:
    """Queue the e-mail of one notification, in the user's language."""
    if not configured():
        return None
    with force_locale(_locale(user)):
        title, detail = texts.title(notification), texts.detail(notification)
        link = _absolute(notification.link)
        body = "\n\n".join(part for part in (title, detail, link, _footer()) if part)
        return enqueue(user, f"{_('Stockpile')}: {title}", body)


def _footer() -> str:
    return str(_("You get this e-mail because of your alert preferences in Stockpile (Notifications → "
                 "Preferences)."))


def send_digests() -> int:
    """One e-mail per user gathering the notifications waiting for their daily digest; how many were queued."""
    if not configured():
        return 0
    pending = session().scalars(select(Notification).where(Notification.digest_pending.is_(True))
                                .order_by(Notification.user_id, Notification.created_at, Notification.id)).all()
    by_user: dict[int, list[Notification]] = {}
    for notification in pending:
        by_user.setdefault(notification.user_id, []).append(notification)
    for user_id, notifications in by_user.items():
        user = session().get(User, user_id)
        if user is not None and user.active:
            _enqueue_digest(user, notifications)
        for notification in notifications:
            notification.digest_pending = False
    session().flush()
    return len(by_user)


def _enqueue_digest(user: User, notifications: list[Notification]) -> None:
    with force_locale(_locale(user)):
        lines = [f"- {formats.datetime(n.created_at)}: {texts.title(n)} {texts.detail(n)} {_absolute(n.link)}"
                 .rstrip() for n in notifications]
        subject = ngettext("%(num)d alert today", "%(num)d alerts today", len(notifications))
        enqueue(user, f"{_('Stockpile')}: {subject}", "\n".join([*lines, "", _footer()]))


@dataclass(frozen=True)
class Outgoing:
    """What one send needs, read before the transaction ends (nothing is sent with a transaction open)."""

    id: int
    to_address: str
    subject: str
    body: str
    attempts: int


@dataclass
class DrainReport:
    """What one pass over the outbox did."""

    sent: int = 0
    failed_attempts: int = 0
    given_up: int = 0

    def __str__(self) -> str:
        return f"{self.sent} mails sent, {self.failed_attempts} attempts failed, {self.given_up} given up"


def drain_outbox(now: dt.datetime | None = None) -> DrainReport:
    """Send the due mails of the outbox (the scheduler's job); a server that is down ends the pass."""
    report = DrainReport()
    if not configured():
        return report
    with transaction():
        due = [Outgoing(m.id, m.to_address, m.subject, m.body, m.attempts) for m in session().scalars(
            select(OutboxMail).where(OutboxMail.status == MailStatus.PENDING,
                                     OutboxMail.next_attempt_at <= (now or utcnow()))
            .order_by(OutboxMail.next_attempt_at, OutboxMail.id).limit(BATCH))]
    if not due:
        return report
    connection: smtplib.SMTP | None = None
    try:
        for mail in due:
            try:
                connection = connection or _connect()
                connection.send_message(_message(mail))
            except smtplib.SMTPRecipientsRefused as refused:  # this address only: the others may still go
                _record_failure(mail, f"recipient refused: {refused.recipients}", report)
                continue
            except (OSError, smtplib.SMTPException) as down:
                _record_failure(mail, f"{type(down).__name__}: {down}", report)
                break  # the server is down or broken: the rest wait for the next pass
            _record_sent(mail, report)
    finally:
        if connection is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):  # the mails are recorded; a failed goodbye
                connection.quit()
    return report


def _connect() -> smtplib.SMTP:
    config = current_app.config
    host, port, timeout = str(config["SMTP_HOST"]), int(config["SMTP_PORT"]), float(config["SMTP_TIMEOUT_SECONDS"])
    connection: smtplib.SMTP
    if config.get("SMTP_SSL"):
        connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
        if config.get("SMTP_STARTTLS"):
            connection.starttls(context=ssl.create_default_context())
    if config.get("SMTP_USERNAME"):
        connection.login(str(config["SMTP_USERNAME"]), str(config.get("SMTP_PASSWORD") or ""))
    return connection


def _message(mail: Outgoing) -> EmailMessage:
    message = EmailMessage()
    message["From"] = str(current_app.config["SMTP_SENDER"])
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(idstring=f"outbox-{mail.id}")
    message.set_content(mail.body)
    return message


def _record_sent(mail: Outgoing, report: DrainReport) -> None:
    with transaction():
        session().execute(update(OutboxMail).where(OutboxMail.id == mail.id, OutboxMail.status == MailStatus.PENDING)
                          .values(status=MailStatus.SENT, sent_at=utcnow(), attempts=mail.attempts + 1,
                                  last_error="").execution_options(synchronize_session=False))
    report.sent += 1


def _record_failure(mail: Outgoing, error: str, report: DrainReport) -> None:
    attempts = mail.attempts + 1
    give_up = attempts >= int(current_app.config["MAIL_MAX_ATTEMPTS"])
    pause = min(dt.timedelta(minutes=2 ** (attempts - 1)), MAX_PAUSE)
    with transaction():
        session().execute(update(OutboxMail).where(OutboxMail.id == mail.id, OutboxMail.status == MailStatus.PENDING)
                          .values(status=MailStatus.FAILED if give_up else MailStatus.PENDING, attempts=attempts,
                                  next_attempt_at=utcnow() + pause, last_error=error[:2000])
                          .execution_options(synchronize_session=False))
    report.failed_attempts += 1
    report.given_up += int(give_up)
