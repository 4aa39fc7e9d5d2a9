"""Idempotency keys as the IETF Idempotency-Key draft and Stripe have them: scoped per user, with a fingerprint.

A booking sent again with the same key by the same user, with the same inputs, returns the first movement and books
nothing. The same key with other inputs is a 422 that names the inputs that differ. Two first uses at the same time:
one books; on PostgreSQL the other waits for it on the key's unique index and is then answered 409 (a retry after
that gets the first movement); SQLite's write lock queues the second behind the first, which it then replays.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from stockpile.db import session
from stockpile.errors import Conflict, FieldErrors
from stockpile.inventory.models import IdempotencyKey, MovementType, StockMovement


def scope_of(user_id: int | None) -> str:
    """Whose keys these are: one user's, or the system's (commands and jobs)."""
    return f"user:{user_id}" if user_id is not None else "system"


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def canonical(kind: MovementType, inputs: dict[str, Any]) -> dict[str, Any]:
    """The booking's inputs as plain JSON values, the type included."""
    return {"type": kind.value, **{name: _plain(value) for name, value in inputs.items()}}


def fingerprint(inputs: dict[str, Any]) -> str:
    """SHA-256 of the inputs as canonical JSON (sorted keys, no spaces)."""
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def find(key: str, user_id: int | None) -> IdempotencyKey | None:
    """The user's record of this key, if the key was used before."""
    return session().scalar(select(IdempotencyKey).where(IdempotencyKey.scope == scope_of(user_id),
                                                         IdempotencyKey.key == key))


def replay(record: IdempotencyKey, inputs: dict[str, Any]) -> StockMovement:
    """The first booking of a key sent again; a 422 naming the differences when the inputs are not the same."""
    if record.fingerprint is not None and record.fingerprint != fingerprint(inputs):
        first = record.inputs or {}
        differ = sorted(name for name in set(first) | set(inputs) if first.get(name) != inputs.get(name))
        message = _("This idempotency key was first used with other values: %(fields)s differ. Use a new key for "
                    "a new booking.", fields=", ".join(differ))
        raise FieldErrors({"idempotency_key": [message], **{name: [message] for name in differ
                                                             if name != "type"}}, message)
    if record.movement is None:  # a key kept from before its booking was linked: cannot be replayed safely
        raise Conflict(_("This idempotency key was already used."), {"idempotency_key": [_("Already used.")]})
    return record.movement


def once(key: str | None, kind: MovementType, user_id: int | None, raw_inputs: dict[str, Any],
         book: Callable[[], StockMovement]) -> StockMovement:
    """Book at most once per user and key; see the module's docstring."""
    if not key:
        return book()
    inputs = canonical(kind, raw_inputs)
    existing = find(key, user_id)
    if existing is not None:
        return replay(existing, inputs)
    try:
        with session().begin_nested():
            record = IdempotencyKey(scope=scope_of(user_id), key=key, fingerprint=fingerprint(inputs), inputs=inputs)
            session().add(record)
            session().flush()  # a concurrent first use of the key waits here (PostgreSQL) until the other ends
            movement = book()
            record.movement_id = movement.id
            session().flush()
            return movement
    except IntegrityError:
        if find(key, user_id) is None:
            raise  # not the key: another constraint refused the booking
        raise Conflict(_("Another booking with this idempotency key was being made at the same moment. Retry: the "
                         "booking that went through is then returned."),
                       {"idempotency_key": [_("In use by a booking made at the same moment.")]}) from None
