"""Changing policy and reading the policy in force: every change appends a version with who, when, why and phase.

The services that change a rule (a process's priority tier, an allocation, a norm cap, a substitution class) call
`record_change` in the same transaction; the crisis phase and the minimum shelf life exist only as policy, so their
value in force is their latest version.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from stockpile import audit
from stockpile.auth.models import Role, User
from stockpile.db import session
from stockpile.errors import FieldErrors, Forbidden
from stockpile.policy_log.models import CrisisPhase, PolicyTopic, PolicyVersion

# Who sets the crisis phase and the minimum shelf life.
POLICY_SETTERS = (Role.CONTINUITY,)
MAX_SHELF_LIFE_DAYS = 3650


def record_change(user: User | None, topic: PolicyTopic, new_value: object, reason: str, *, old_value: object = "",
                  process_id: int | None = None, item_id: int | None = None,
                  phase: CrisisPhase | None = None) -> PolicyVersion:
    """Append a new policy version for one changed rule; the reason is required."""
    if not reason.strip():
        raise FieldErrors.one("reason", _("Say why the policy changes."))
    version = PolicyVersion(topic=topic, essential_process_id=process_id, item_id=item_id,
                            old_value=str(old_value), new_value=str(new_value), reason=reason.strip(),
                            phase=phase or current_phase(), user_id=user.id if user else None)
    session().add(version)
    session().flush()
    audit.record(user.id if user else None, "policy.change", version, topic=topic.value, old=str(old_value),
                 new=str(new_value), reason=reason.strip())
    return version


def current_version_id() -> int | None:
    """The policy version in force now (None before the first recorded change)."""
    return session().scalar(select(func.max(PolicyVersion.id)))


def current_phase() -> CrisisPhase:
    """The crisis phase in force (normal until someone sets another)."""
    value = _latest_value(PolicyTopic.PHASE)
    return CrisisPhase(value) if value else CrisisPhase.NORMAL


def min_shelf_life_days() -> int:
    """Days a lot must stay usable after it leaves the stockpile: the policy's, else MIN_REMAINING_SHELF_LIFE_DAYS."""
    value = _latest_value(PolicyTopic.MIN_SHELF_LIFE)
    return int(value) if value else int(current_app.config.get("MIN_REMAINING_SHELF_LIFE_DAYS", 30))


def set_phase(user: User, phase: str, reason: str) -> PolicyVersion:
    """Declare a new crisis phase (normal, scaling up, crisis, scaling down)."""
    _require_setter(user)
    if phase not in {member.value for member in CrisisPhase}:
        raise FieldErrors.one("phase", _("Choose a crisis phase."))
    old = current_phase()
    if old.value == phase:
        raise FieldErrors.one("phase", _("The crisis phase already is this phase."))
    return record_change(user, PolicyTopic.PHASE, phase, reason, old_value=old.value, phase=CrisisPhase(phase))


def set_min_shelf_life(user: User, days: int, reason: str) -> PolicyVersion:
    """Set how many days of shelf life a lot must have left to be reserved or picked."""
    _require_setter(user)
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_SHELF_LIFE_DAYS:
        raise FieldErrors.one("days", _("Enter a whole number of days from 0 to %(max)d.", max=MAX_SHELF_LIFE_DAYS))
    old = min_shelf_life_days()
    if old == days:
        raise FieldErrors.one("days", _("The minimum shelf life already is %(days)d days.", days=days))
    return record_change(user, PolicyTopic.MIN_SHELF_LIFE, days, reason, old_value=old)


def _require_setter(user: User) -> None:
    if user.role not in POLICY_SETTERS:
        raise Forbidden(_("Only the continuity section sets the crisis phase and the minimum shelf life."))


def _latest_value(topic: PolicyTopic) -> str | None:
    return session().scalar(select(PolicyVersion.new_value).where(PolicyVersion.topic == topic)
                            .order_by(PolicyVersion.id.desc()).limit(1))
