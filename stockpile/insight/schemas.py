"""Marshmallow schemas of the insight endpoints: strict inputs, complete outputs."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields


class Strict(Schema):
    class Meta:
        unknown = RAISE


class RiskQuery(Strict):
    date = fields.Date(metadata={"description": "Stock-out before this day (default: two weeks ahead); from today "
                                                "to the end of the forecast horizon."})


class RiskCellOut(Schema):
    item_id = fields.Integer(required=True)
    item_code = fields.String(required=True)
    process_id = fields.Integer(required=True)
    process_code = fields.String(required=True)
    tier = fields.Integer(required=True, metadata={"description": "Priority tier: 1 draws first."})
    share = fields.Float(required=True, metadata={"description": "The process's share of what was asked for the "
                                                                 "item in the last 90 days."})
    ring_fenced = fields.Integer(required=True, metadata={"description": "What its allocation still holds."})
    probability = fields.Float(required=True, metadata={"description": "P(stock-out for this process on a day "
                                                                       "before `date`)."})


class RiskGridOut(Schema):
    date = fields.Date(required=True)
    cells = fields.List(fields.Nested(RiskCellOut), required=True)
