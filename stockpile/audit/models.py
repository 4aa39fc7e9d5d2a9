"""The audit log: who did what, when and why, written in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, insert
from sqlalchemy.orm import Mapped, mapped_column

from stockpile.db import Base, UTCDateTime, session, table_of, unnest_insert, utcnow


class AuditEvent(Base):
    """One recorded action; never updated or deleted."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def record(actor_id: int | None, action: str, obj: Any = None, **details: Any) -> AuditEvent:
    """Record an action on an object (or none) by a user (or the system) in the current transaction."""
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=getattr(obj, "id", None),
        details={key: _jsonable(value) for key, value in details.items()},
    )
    session().add(event)
    return event


def record_many(actor_id: int | None, action: str, object_type: str,
                entries: list[tuple[int, dict[str, Any]]]) -> None:
    """Record one action on many objects of one kind ((id, details) each) in one statement, as a bulk import does."""
    if not entries:
        return
    at = utcnow()
    rows = [{"at": at, "actor_id": actor_id, "action": action, "object_type": object_type, "object_id": object_id,
             "details": {key: _jsonable(value) for key, value in details.items()}} for object_id, details in entries]
    if session().get_bind().dialect.name == "postgresql":
        session().execute(unnest_insert(AuditEvent, rows))
    else:
        session().execute(insert(table_of(AuditEvent)), rows)


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
