"""Marshmallow schemas of requests: strict inputs (a client never sets state, region or ids it doesn't own)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from stockpile.api import BoundedList, id_field
from stockpile.requests.models import RequestState
from stockpile.requests.validation import MAX_REQUEST_LINES

POSITIVE = validate.Range(min=1, max=1_000_000_000)


class LineIn(Schema):
    item_id = id_field(required=True)
    quantity = fields.Integer(required=True, strict=True, validate=POSITIVE)


class RequestIn(Schema):
    essential_process_id = id_field(required=True)
    needed_by = fields.Date(required=True)
    justification = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    contact = fields.String(required=True, validate=validate.Length(min=1, max=200))
    delivery_warehouse_id = id_field(load_default=None, allow_none=True)
    delivery_address = fields.String(load_default="", validate=validate.Length(max=1000))
    lines = BoundedList(fields.Nested(LineIn), MAX_REQUEST_LINES, required=True)
    submit = fields.Boolean(load_default=False, metadata={
        "description": "true: submit the draft for review in the same call and transaction."})
    reask_of_id = id_field(load_default=None, allow_none=True, metadata={
        "description": "The id of a rejected or cut request of the same region that this one asks again for; the "
                       "forecast then counts the need of both once. Omitted or null: a new need."})

    @validates_schema
    def _one_line_per_item(self, data: dict[str, object], **_kwargs: object) -> None:
        items = [line["item_id"] for line in data.get("lines", [])]  # type: ignore[attr-defined]
        if len(items) != len(set(items)):
            raise ValidationError("Each item may appear on one line only.", "lines")


class DecisionIn(Schema):
    id = id_field(required=True)
    quantity_approved = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1_000_000_000))
    reason = fields.String(load_default="", validate=validate.Length(max=1000))


class ApproveIn(Schema):
    lines = BoundedList(fields.Nested(DecisionIn), MAX_REQUEST_LINES, required=True)


class ReasonIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class RejectIn(ReasonIn):
    for_scarcity = fields.Boolean(load_default=False, metadata={
        "description": "True when the request is rejected because stock is short: only then the forecast counts "
                       "what was asked as unconstrained demand. Omitted: false (rejected for another reason, such "
                       "as a duplicate or an ask outside the norm), as before this field existed."})


class OptionalReasonIn(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=1000))


class ShipIn(Schema):
    carrier = fields.String(required=True, validate=validate.Length(min=1, max=120))
    reference = fields.String(load_default="", validate=validate.Length(max=120))


class ReceivedIn(Schema):
    id = id_field(required=True)
    quantity_received = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1_000_000_000))
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class ConfirmIn(Schema):
    lines = BoundedList(fields.Nested(ReceivedIn), MAX_REQUEST_LINES, required=True)


class EmptyIn(Schema):
    """Actions without a body still refuse unknown fields."""


class LineOut(Schema):
    id = fields.Integer(required=True)
    item_id = fields.Integer(required=True)
    item_code = fields.String(attribute="item.code", required=True)
    quantity_requested = fields.Integer(required=True)
    quantity_approved = fields.Integer(allow_none=True, required=True)
    quantity_issued = fields.Integer(required=True)
    quantity_received = fields.Integer(allow_none=True, required=True)
    approval_note = fields.String(required=True)
    cut_for_scarcity = fields.Boolean(required=True, metadata={
        "description": "The line got less than asked (or nothing, rejected) because stock was short."})
    discrepancy_note = fields.String(required=True)


class TransitionOut(Schema):
    from_state = fields.Enum(RequestState, by_value=True, allow_none=True, required=True)
    to_state = fields.Enum(RequestState, by_value=True, required=True)
    user_id = fields.Integer(allow_none=True, required=True)
    at = fields.AwareDateTime(required=True)
    comment = fields.String(required=True)


class RequestSummaryOut(Schema):
    """A request in a list: its fields and lines; the history is on the request itself (RequestOut)."""

    id = fields.Integer(required=True)
    number = fields.String(required=True)
    region_id = fields.Integer(required=True)
    region_code = fields.String(attribute="region.code", required=True)
    essential_process_id = fields.Integer(required=True)
    needed_by = fields.Date(required=True)
    delivery_warehouse_id = fields.Integer(allow_none=True, required=True)
    delivery_address = fields.String(required=True)
    contact = fields.String(required=True)
    justification = fields.String(required=True)
    state = fields.Enum(RequestState, by_value=True, required=True)
    submitted_at = fields.AwareDateTime(allow_none=True, required=True)
    decided_at = fields.AwareDateTime(allow_none=True, required=True)
    policy_version_id = fields.Integer(allow_none=True, required=True, metadata={
        "description": "The policy version (GET /policy/versions) the decision was made under."})
    carrier = fields.String(required=True)
    shipment_reference = fields.String(required=True)
    reask_of_id = fields.Integer(allow_none=True, required=True)
    lines = fields.List(fields.Nested(LineOut), required=True)


class RequestOut(RequestSummaryOut):
    """One request with its lines and its history."""

    history = fields.List(fields.Nested(TransitionOut), required=True)


class RequestFilter(Schema):
    state = fields.Enum(RequestState, by_value=True, load_default=None)


class AllocationIn(Schema):
    essential_process_id = id_field(required=True)
    item_id = id_field(required=True)
    quantity = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=1_000_000_000))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class AllocationOut(Schema):
    id = fields.Integer(required=True)
    essential_process_id = fields.Integer(required=True)
    item_id = fields.Integer(required=True)
    quantity = fields.Integer(required=True)
    used = fields.Integer(required=True)
    remaining = fields.Integer(required=True)
