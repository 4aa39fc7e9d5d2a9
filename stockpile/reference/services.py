"""Create and change reference data; codes stay unique and nothing is ever deleted."""

from __future__ import annotations

from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import select

from stockpile import audit
from stockpile.auth.models import User
from stockpile.db import session
from stockpile.errors import FieldErrors, NotFound
from stockpile.policy_log import services as policy_log
from stockpile.policy_log.models import PolicyTopic
from stockpile.reference.models import EssentialProcess, Item, Region, Warehouse

ReferenceModel = Region | EssentialProcess | Item | Warehouse
M = TypeVar("M", Region, EssentialProcess, Item, Warehouse)


def create_reference(model: type[M], data: dict[str, Any], actor_id: int | None) -> M:
    """Create a region, process, item or warehouse from validated data."""
    data = _normalise(data)
    data.pop("policy_reason", None)  # a new process's tier is in force from the start; changes are logged
    _check_code_free(model, data["code"], None)
    _check_links(model, data)
    obj = model(**data)
    session().add(obj)
    session().flush()
    audit.record(actor_id, f"{model.__tablename__}.create", obj, **data)
    return obj


def update_reference(obj: M, data: dict[str, Any], actor_id: int | None) -> M:
    """Change fields of a reference object; deactivation is a change of `active`, never a delete.

    A process's priority tier is policy: its change needs a reason and appends a version to the policy log.
    """
    data = _normalise(data)
    reason = data.pop("policy_reason", None) or ""
    if "code" in data:
        _check_code_free(type(obj), data["code"], obj.id)
    _check_links(type(obj), data)
    changes = {key: value for key, value in data.items() if getattr(obj, key) != value}
    if isinstance(obj, EssentialProcess) and "priority_tier" in changes:
        if not reason:
            raise FieldErrors.one("policy_reason", _("Say why the priority tier changes."))
        policy_log.record_change(session().get(User, actor_id) if actor_id else None, PolicyTopic.PRIORITY_TIER,
                                 changes["priority_tier"], reason, old_value=obj.priority_tier, process_id=obj.id)
    for key, value in changes.items():
        setattr(obj, key, value)
    session().flush()
    if changes:
        audit.record(actor_id, f"{type(obj).__tablename__}.update", obj, **changes)
    return obj


def get_reference(model: type[M], object_id: int) -> M:
    """A reference object by id, or NotFound."""
    obj = session().get(model, object_id)
    if obj is None:
        raise NotFound(_("No such record."))
    return obj


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    data = {key: value.strip() if type(value) is str else value for key, value in data.items()}
    if "code" in data:
        data["code"] = data["code"].upper()
    return data


def _check_code_free(model: type[M], code: str, own_id: int | None) -> None:
    existing = session().scalar(select(model.id).where(model.code == code))
    if existing is not None and existing != own_id:
        raise FieldErrors.one("code", _("Code %(code)s is already in use.", code=code))


def _check_links(model: type[M], data: dict[str, Any]) -> None:
    if model is Warehouse and "region_id" in data and session().get(Region, data["region_id"]) is None:
        raise FieldErrors.one("region_id", _("Unknown region."))
