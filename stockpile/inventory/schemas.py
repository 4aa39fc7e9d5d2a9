"""Marshmallow schemas of the inventory API: strict inputs that name the bad field, complete outputs."""

from __future__ import annotations

import copy
from typing import Any

from flask_babel import gettext as _
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from stockpile.api import MAX_ID
from stockpile.inventory.models import MovementType, QualityStatus, label


def an_id(required: bool = False, strict: bool = True) -> fields.Integer:
    """A database id: a whole number from 1 (query strings are text, so only JSON is strict)."""
    return fields.Integer(required=required, strict=strict, validate=validate.Range(min=1, max=MAX_ID))


def a_quantity(strict: bool = True) -> fields.Integer:
    """A whole number of units, at least one."""
    return fields.Integer(required=True, strict=strict, validate=validate.Range(min=1, max=1_000_000_000))


def a_reason() -> fields.String:
    """Every booking says why."""
    return fields.String(required=True, validate=validate.Length(min=1, max=2000))


# What each kind of movement needs besides quantity and reason; a receipt names its lot by id or by its data.
NEEDED_BY_TYPE: dict[MovementType, tuple[str, ...]] = {
    MovementType.RECEIPT: ("warehouse_id",),
    MovementType.TRANSFER: ("lot_id", "warehouse_id", "to_warehouse_id"),
    MovementType.ISSUE: ("lot_id", "warehouse_id"),
    MovementType.ADJUSTMENT: ("lot_id", "warehouse_id", "direction"),
    MovementType.WRITE_OFF: ("lot_id", "warehouse_id"),
}
NEW_LOT_FIELDS = ("item_id", "lot_number", "supplier", "expiry_date")
RECEIPT_ONLY = ("item_id", "lot_number", "supplier", "expiry_date", "manufacture_date", "quality_status")


class Strict(Schema):
    """Input that refuses fields it does not know."""

    class Meta:
        unknown = RAISE


class MovementIn(Strict):
    type = fields.Enum(MovementType, by_value=True, required=True)
    lot_id = an_id()
    item_id = an_id()
    lot_number = fields.String(validate=validate.Length(min=1, max=64))
    supplier = fields.String(validate=validate.Length(min=1, max=120))
    expiry_date = fields.Date()
    manufacture_date = fields.Date()
    quality_status = fields.Enum(QualityStatus, by_value=True)
    warehouse_id = an_id()
    to_warehouse_id = an_id()
    direction = fields.String(validate=validate.OneOf(["increase", "decrease"]))
    quantity = a_quantity()
    reason = a_reason()
    reference = fields.String(load_default="", validate=validate.Length(max=120))
    idempotency_key = fields.String(validate=validate.Length(min=1, max=120))

    @validates_schema
    def fields_for_type(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Each type of movement needs its own fields and refuses the others."""
        kind = data.get("type")
        if kind is None:
            return
        errors: dict[str, list[str]] = {}
        for name in needed_fields(kind, data):
            if data.get(name) is None:
                errors[name] = [_("Required for a %(type)s.", type=label(kind))]
        for name in unused_fields(kind, data):
            errors[name] = [_("Not used for a %(type)s.", type=label(kind))]
        if errors:
            raise ValidationError(errors)


def needed_fields(kind: MovementType, data: dict[str, Any]) -> tuple[str, ...]:
    """The fields a movement of this kind must carry."""
    needed = NEEDED_BY_TYPE[kind]
    if kind is MovementType.RECEIPT and data.get("lot_id") is None:
        return needed + NEW_LOT_FIELDS
    return needed


def unused_fields(kind: MovementType, data: dict[str, Any]) -> list[str]:
    """Fields given that a movement of this kind would silently ignore."""
    unused = [] if kind is MovementType.RECEIPT else list(RECEIPT_ONLY)
    if kind is MovementType.RECEIPT and data.get("lot_id") is not None:
        unused += list(RECEIPT_ONLY)
    if kind is not MovementType.TRANSFER:
        unused.append("to_warehouse_id")
    if kind is not MovementType.ADJUSTMENT:
        unused.append("direction")
    return [name for name in unused if data.get(name) is not None]


class ReverseIn(Strict):
    reason = a_reason()
    idempotency_key = fields.String(validate=validate.Length(min=1, max=120))


class LotStatusIn(Strict):
    status = fields.Enum(QualityStatus, by_value=True, required=True)
    reason = a_reason()


class LotQuery(Schema):
    item_id = an_id(strict=False)
    warehouse_id = an_id(strict=False)
    status = fields.Enum(QualityStatus, by_value=True)


class MovementQuery(Schema):
    lot_id = an_id(strict=False)
    item_id = an_id(strict=False)
    warehouse_id = an_id(strict=False)
    type = fields.Enum(MovementType, by_value=True)
    since = fields.Date(metadata={"description": "First day (Amsterdam time), inclusive."})
    until = fields.Date(metadata={"description": "Last day (Amsterdam time), inclusive."})


class PickingQuery(Schema):
    item_id = an_id(required=True, strict=False)
    quantity = a_quantity(strict=False)
    warehouse_id = an_id(strict=False)


class MovementOut(Schema):
    id = fields.Integer(required=True)
    type = fields.Enum(MovementType, by_value=True, required=True)
    lot_id = fields.Integer(required=True)
    lot_number = fields.String(attribute="lot.lot_number", required=True)
    item_id = fields.Integer(attribute="lot.item_id", required=True)
    from_warehouse_id = fields.Integer(allow_none=True, required=True)
    to_warehouse_id = fields.Integer(allow_none=True, required=True)
    quantity = fields.Integer(required=True)
    reason = fields.String(required=True)
    reference = fields.String(required=True)
    user_id = fields.Integer(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)
    idempotency_key = fields.String(allow_none=True, required=True)
    reverses_id = fields.Integer(allow_none=True, required=True)


class BalanceOut(Schema):
    warehouse_id = fields.Integer(attribute="warehouse.id", required=True)
    warehouse_code = fields.String(attribute="warehouse.code", required=True)
    on_hand = fields.Integer(required=True)
    reserved = fields.Integer(required=True)
    free = fields.Integer(required=True)


class LotOut(Schema):
    id = fields.Integer(required=True)
    item_id = fields.Integer(required=True)
    item_code = fields.String(attribute="item.code", required=True)
    lot_number = fields.String(required=True)
    supplier = fields.String(required=True)
    manufacture_date = fields.Date(allow_none=True, required=True)
    expiry_date = fields.Date(required=True)
    received_date = fields.Date(required=True)
    quality_status = fields.Enum(QualityStatus, by_value=True, required=True)


class LotDetailOut(LotOut):
    balances = fields.List(fields.Nested(BalanceOut), required=True)


class ItemStockOut(Schema):
    item_id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    unit = fields.String(required=True)
    on_hand = fields.Integer(required=True)
    reserved = fields.Integer(required=True)
    usable = fields.Integer(required=True, metadata={"description": "Released and unexpired."})
    unusable = fields.Integer(required=True)
    free = fields.Integer(required=True)
    first_expiry = fields.Date(allow_none=True, required=True)


class PickLineOut(Schema):
    lot_id = fields.Integer(attribute="lot.id", required=True)
    lot_number = fields.String(attribute="lot.lot_number", required=True)
    expiry_date = fields.Date(attribute="lot.expiry_date", required=True)
    warehouse_id = fields.Integer(attribute="warehouse.id", required=True)
    warehouse_code = fields.String(attribute="warehouse.code", required=True)
    quantity = fields.Integer(required=True)


class PickProposalOut(Schema):
    item_id = fields.Integer(required=True)
    requested = fields.Integer(required=True)
    covered = fields.Integer(required=True)
    shortfall = fields.Integer(required=True)
    min_shelf_life_days = fields.Integer(required=True)
    lines = fields.List(fields.Nested(PickLineOut), required=True)


# A line of a receipts file takes MovementIn's own receipt fields, so a file is held to exactly the API's rules
# (lengths, formats, statuses, and whatever MovementIn adds later); codes stand in for the ids.
RECEIPT_LINE_FIELDS = ("lot_number", "supplier", "expiry_date", "manufacture_date", "quality_status", "reason",
                       "reference")
REQUIRED_ON_A_LINE = ("lot_number", "supplier", "expiry_date", "reason")


def _receipt_line_fields() -> dict[str, fields.Field[Any]]:
    copied: dict[str, fields.Field[Any]] = {}
    for name in RECEIPT_LINE_FIELDS:
        copied[name] = copy.deepcopy(MovementIn._declared_fields[name])
        copied[name].required = name in REQUIRED_ON_A_LINE
    return {
        "item_code": fields.String(required=True, validate=validate.Length(min=1, max=32)),
        "warehouse_code": fields.String(required=True, validate=validate.Length(min=1, max=32)),
        "quantity": a_quantity(strict=False),
        **copied,
    }


ReceiptLineIn: type[Schema] = Strict.from_dict(_receipt_line_fields(), name="ReceiptLineIn")
