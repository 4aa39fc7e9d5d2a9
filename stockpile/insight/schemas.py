"""Marshmallow schemas of the insight endpoints: strict inputs, complete outputs."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from stockpile.api import id_field
from stockpile.insight.equity import SORTS


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


class RotationAdviceOut(Schema):
    lot_id = fields.Integer(required=True)
    lot_number = fields.String(required=True)
    item_id = fields.Integer(required=True)
    item_code = fields.String(required=True)
    last_pick_day = fields.Date(required=True, metadata={"description": "Expiry minus the minimum remaining shelf "
                                                                        "life: the last day picking may use it."})
    from_warehouse_id = fields.Integer(required=True)
    from_warehouse_code = fields.String(required=True)
    from_region_code = fields.String(required=True)
    free_here = fields.Integer(required=True)
    projected_waste = fields.Integer(required=True, metadata={"description": "Units of the lot the projection "
                                                                             "leaves to expire unused."})
    to_region_code = fields.String(required=True)
    to_warehouse_id = fields.Integer(required=True)
    to_warehouse_code = fields.String(required=True)
    burn_per_day = fields.Float(required=True, metadata={"description": "Units the destination region asked a day "
                                                                        "in the last 28 days."})
    burn_here_per_day = fields.Float(required=True)
    process_code = fields.String(required=True, metadata={"description": "The destination region's process that "
                                                                         "asked most for the item."})
    quantity = fields.Integer(required=True, metadata={"description": "Units to move."})
    units_saved = fields.Integer(required=True, metadata={"description": "Units saved from waste."})


class TakeRotationIn(Strict):
    lot_id = id_field(required=True)
    from_warehouse_id = id_field(required=True)


class RotationTakenOut(Schema):
    id = fields.Integer(required=True)
    lot_id = fields.Integer(required=True)
    from_warehouse_id = fields.Integer(required=True)
    to_warehouse_id = fields.Integer(required=True)
    quantity = fields.Integer(required=True)
    units_saved = fields.Integer(required=True)
    movement_id = fields.Integer(required=True)
    at = fields.DateTime(required=True)


class EquityQuery(Strict):
    weeks = fields.Integer(load_default=8, metadata={"description": "This week and the weeks before it, 1 to 52."})
    sort = fields.String(load_default="fill_rate", validate=validate.OneOf(SORTS))
    order = fields.String(load_default="asc", validate=validate.OneOf(["asc", "desc"]))


class EquityRequestsQuery(Strict):
    weeks = fields.Integer(load_default=8)
    process_id = id_field()
    region_id = id_field()


class WeekOut(Schema):
    week_start = fields.Date(required=True, metadata={"description": "Monday of the week (Dutch time)."})
    asked = fields.Integer(required=True)
    delivered = fields.Integer(required=True)
    fill_rate = fields.Float(allow_none=True)


class EquityRowOut(Schema):
    process_id = fields.Integer(required=True)
    process_code = fields.String(required=True)
    tier = fields.Integer(required=True)
    region_id = fields.Integer(required=True)
    region_code = fields.String(required=True)
    requests = fields.Integer(required=True)
    asked = fields.Integer(required=True)
    approved = fields.Integer(required=True)
    delivered = fields.Integer(required=True, metadata={"description": "Units issued to the requests."})
    fill_rate = fields.Float(allow_none=True, metadata={"description": "delivered / asked"})
    unmet = fields.Integer(required=True, metadata={"description": "asked - delivered"})
    cut_rationing = fields.Integer(required=True, metadata={"description": "asked - approved on lines cut because "
                                                                           "stock was short"})
    days_of_cover = fields.Float(allow_none=True, metadata={"description": "Stock free for the process now, shared "
                                                                           "by the region's part of its demand, at "
                                                                           "the region's daily rate."})
    weeks = fields.List(fields.Nested(WeekOut), required=True)


class EquityLineOut(Schema):
    item_code = fields.String(attribute="item.code", required=True)
    quantity_requested = fields.Integer(required=True)
    quantity_approved = fields.Integer(allow_none=True)
    quantity_issued = fields.Integer(required=True)
    cut_for_scarcity = fields.Boolean(required=True)


class EquityRequestOut(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    state = fields.String(required=True)
    essential_process_id = fields.Integer(required=True)
    region_id = fields.Integer(required=True)
    submitted_at = fields.DateTime(allow_none=True)
    lines = fields.List(fields.Nested(EquityLineOut), required=True)
