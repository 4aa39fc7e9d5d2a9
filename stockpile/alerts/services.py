"""The verbs of alerts: notify users (as each prefers), mark read, set preferences. They flush, never commit.

A notification is written in the same transaction as what it tells of, and so is its e-mail (in the outbox): both
are kept or undone with the change. The e-mail itself leaves only after the commit (`alerts.mail`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from stockpile.alerts import mail
from stockpile.alerts.models import AlertKind, AlertPreference, EmailMode, Notification
from stockpile.auth.models import User
from stockpile.db import session, utcnow
from stockpile.errors import FieldErrors, NotFound


def app_path(endpoint: str, **values: Any) -> str:
    """The path of a page, also where no request is being served (the scheduler's jobs)."""
    return current_app.url_map.bind("").build(endpoint, values)


def preferences(users: Sequence[User], kind: AlertKind) -> dict[int, AlertPreference]:
    """Each user's stored choice for one kind (users without a row have the default: on, e-mailed at once)."""
    if not users:
        return {}
    rows = session().scalars(select(AlertPreference).where(AlertPreference.kind == kind,
                                                           AlertPreference.user_id.in_([u.id for u in users])))
    return {row.user_id: row for row in rows}


def notify(users: Iterable[User], kind: AlertKind, subject: str, params: dict[str, Any],
           link: str = "") -> list[Notification]:
    """A notification for each user who wants this kind, with its e-mail (at once or for the digest) as they chose."""
    users = list({user.id: user for user in users}.values())
    chosen = preferences(users, kind)
    made = []
    for user in users:
        preference = chosen.get(user.id)
        if preference is not None and not preference.enabled:
            continue
        email = preference.email if preference is not None else EmailMode.IMMEDIATE
        notification = Notification(user_id=user.id, kind=kind, subject=subject, params=params, link=link,
                                    created_at=utcnow(), digest_pending=email is EmailMode.DAILY and
                                    mail.configured())
        session().add(notification)
        made.append((user, notification, email))
    session().flush()
    for user, notification, email in made:
        if email is EmailMode.IMMEDIATE:
            mail.enqueue_notification(user, notification)
    return [notification for _user, notification, _email in made]


def already_notified(kind: AlertKind, subject: str) -> bool:
    """Whether anyone was told of this subject before (a delivery is reported overdue once)."""
    return session().scalar(select(Notification.id).where(Notification.kind == kind,
                                                          Notification.subject == subject).limit(1)) is not None


def notifications_of(user: User, unread_only: bool = False) -> Any:
    """The user's own notifications, newest first (a query, for paging)."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    return stmt.order_by(Notification.created_at.desc(), Notification.id.desc())


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread."""
    return session().scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def get_own(user: User, notification_id: int) -> Notification:
    """One of the user's notifications; anyone else's is not found, as if it did not exist."""
    notification = session().get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        raise NotFound(_("No such notification."))
    return notification


def mark_read(user: User, notification_id: int) -> Notification:
    """Mark one of the user's notifications read (reading it again keeps the first time)."""
    notification = get_own(user, notification_id)
    if notification.read_at is None:
        notification.read_at = utcnow()
        session().flush()
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user read; how many were."""
    result = session().execute(update(Notification).where(Notification.user_id == user.id,
                                                          Notification.read_at.is_(None))
                               .values(read_at=utcnow()).execution_options(synchronize_session=False))
    session().expire_all()
    return int(result.rowcount)  # type: ignore[attr-defined]


def preference_rows(user: User) -> list[tuple[AlertKind, bool, EmailMode]]:
    """The user's choice for every kind, defaults filled in, in the order of AlertKind."""
    stored = {row.kind: row for row in session().scalars(select(AlertPreference)
                                                         .where(AlertPreference.user_id == user.id))}
    return [(kind, stored[kind].enabled, stored[kind].email) if kind in stored else (kind, True, EmailMode.IMMEDIATE)
            for kind in AlertKind]


def set_preferences(user: User, choices: Sequence[dict[str, Any]]) -> list[tuple[AlertKind, bool, EmailMode]]:
    """Store the user's choices ({kind, enabled, email} each); a kind named twice or unknown is refused whole."""
    seen: set[AlertKind] = set()
    for n, choice in enumerate(choices):
        kind = choice.get("kind")
        if not isinstance(kind, AlertKind):
            raise FieldErrors.one(f"{n}.kind", _("Choose one of the kinds of alert."))
        if kind in seen:
            raise FieldErrors.one(f"{n}.kind", _("Each kind of alert may be named once."))
        if not isinstance(choice.get("email"), EmailMode):
            raise FieldErrors.one(f"{n}.email", _("Choose no e-mail, e-mail at once or a daily digest."))
        seen.add(kind)
    for choice in choices:
        row = session().get(AlertPreference, (user.id, choice["kind"]))
        if row is None:
            row = AlertPreference(user_id=user.id, kind=choice["kind"])
            session().add(row)
        row.enabled, row.email = bool(choice.get("enabled", True)), choice["email"]
    session().flush()
    return preference_rows(user)
