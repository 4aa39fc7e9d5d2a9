"""Marshmallow schemas of the reference data: strict inputs, complete outputs."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from stockpile.api import id_field
from stockpile.reference.models import ItemCategory

CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", error="Use letters, digits, '-', '_' or '.'.")


class RegionOut(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    active = fields.Boolean(required=True)


class RegionIn(Schema):
    code = fields.String(required=True, validate=[validate.Length(min=2, max=8), CODE])
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    active = fields.Boolean(load_default=True)


class ProcessOut(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    sector = fields.String(required=True)
    priority_tier = fields.Integer(required=True)
    active = fields.Boolean(required=True)


class ProcessIn(Schema):
    code = fields.String(required=True, validate=[validate.Length(min=1, max=32), CODE])
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    sector = fields.String(required=True, validate=validate.Length(min=1, max=120))
    priority_tier = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=9))
    # Why the tier changes: required when it does, kept in the policy log.
    policy_reason = fields.String(validate=validate.Length(max=2000))
    active = fields.Boolean(load_default=True)


class ItemOut(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    category = fields.Enum(ItemCategory, by_value=True, required=True)
    unit_of_issue = fields.String(required=True)
    units_per_pack = fields.Integer(required=True)
    en_standard = fields.String(required=True)
    shelf_life_months = fields.Integer(required=True)
    lead_time_days = fields.Integer(required=True)
    safety_stock_days = fields.Integer(required=True)
    active = fields.Boolean(required=True)


class ItemIn(Schema):
    code = fields.String(required=True, validate=[validate.Length(min=1, max=32), CODE])
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    category = fields.Enum(ItemCategory, by_value=True, required=True)
    unit_of_issue = fields.String(required=True, validate=validate.Length(min=1, max=32))
    units_per_pack = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1, max=1_000_000))
    en_standard = fields.String(load_default="", validate=validate.Length(max=120))
    shelf_life_months = fields.Integer(load_default=60, strict=True, validate=validate.Range(min=0, max=600))
    lead_time_days = fields.Integer(load_default=14, strict=True, validate=validate.Range(min=0, max=3650))
    safety_stock_days = fields.Integer(load_default=14, strict=True, validate=validate.Range(min=0, max=3650))
    active = fields.Boolean(load_default=True)


class WarehouseOut(Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name = fields.String(required=True)
    address = fields.String(required=True)
    region_id = fields.Integer(required=True)
    region_code = fields.String(attribute="region.code", required=True)
    active = fields.Boolean(required=True)


class WarehouseIn(Schema):
    code = fields.String(required=True, validate=[validate.Length(min=1, max=32), CODE])
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    address = fields.String(load_default="", validate=validate.Length(max=500))
    region_id = id_field(required=True)
    active = fields.Boolean(load_default=True)
