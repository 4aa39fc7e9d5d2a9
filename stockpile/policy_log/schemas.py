"""Marshmallow schemas of the policy log: the changes, the settings in force, and decisions with their rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from stockpile.api import MAX_ID
from stockpile.policy_log.models import CrisisPhase, PolicyTopic
from stockpile.policy_log.services import MAX_SHELF_LIFE_DAYS


class PolicyVersionOut(Schema):
    id = fields.Integer(required=True, metadata={"description": "The policy version this change started."})
    at = fields.DateTime(required=True)
    set_by = fields.Function(lambda v: v.user.email if v.user else None, allow_none=True)
    topic = fields.Enum(PolicyTopic, by_value=True, required=True)
    essential_process_id = fields.Integer(allow_none=True)
    item_id = fields.Integer(allow_none=True)
    old_value = fields.String(required=True)
    new_value = fields.String(required=True)
    phase = fields.Enum(CrisisPhase, by_value=True, required=True)
    reason = fields.String(required=True)


class PolicyOut(Schema):
    version = fields.Integer(allow_none=True, metadata={"description": "None before the first recorded change."})
    phase = fields.Enum(CrisisPhase, by_value=True, required=True)
    min_shelf_life_days = fields.Integer(required=True)


class PhaseIn(Schema):
    phase = fields.Enum(CrisisPhase, by_value=True, required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ShelfLifeIn(Schema):
    days = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_SHELF_LIFE_DAYS))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class DecisionFilterIn(Schema):
    region_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))
    item_id = fields.Integer(load_default=None, validate=validate.Range(min=1, max=MAX_ID))
    day = fields.Date(load_default=None, metadata={"description": "The day of the decision, Europe/Amsterdam."})


class DecisionOut(Schema):
    request_id = fields.Function(lambda d: d.request.id, required=True)
    request = fields.Function(lambda d: d.request.number, required=True)
    region = fields.Function(lambda d: d.request.region.code, required=True)
    essential_process = fields.Function(lambda d: d.request.essential_process.code, required=True)
    item = fields.Function(lambda d: d.line.item.code, required=True)
    requested = fields.Function(lambda d: d.line.quantity_requested, required=True)
    approved = fields.Function(lambda d: d.line.quantity_approved, allow_none=True)
    decided_at = fields.Function(lambda d: d.request.decided_at.isoformat(), required=True)
    policy_version = fields.Function(lambda d: d.request.policy_version_id, allow_none=True)
    rules = fields.List(fields.Nested(PolicyVersionOut), required=True,
                        metadata={"description": "The latest change of each rule in force at the decision."})
