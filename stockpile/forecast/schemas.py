"""Marshmallow schemas of forecasting: strict inputs, complete outputs."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate

from stockpile.api import id_field
from stockpile.forecast.models import DeliveryStatus, FlagEventKind, FlagLevel, RunStatus, RunTrigger
from stockpile.forecast.words import COMMITTED, DAYS_OF_SUPPLY, PENDING, RESERVED, USABLE


class Strict(Schema):
    class Meta:
        unknown = RAISE


class RunOut(Schema):
    id = fields.Integer(required=True)
    status = fields.Enum(RunStatus, by_value=True, required=True,
                         metadata={"description": "queued, running, succeeded, failed or cancelled"})
    trigger = fields.Enum(RunTrigger, by_value=True, required=True)
    queued_at = fields.DateTime(required=True)
    started_at = fields.DateTime(allow_none=True, metadata={"description": "When the scheduler began executing it."})
    finished_at = fields.DateTime(allow_none=True)
    horizon_days = fields.Integer(required=True)
    series_count = fields.Integer(required=True)
    failed_series = fields.Integer(required=True)
    error_summary = fields.String(required=True)
    phase = fields.String(required=True, metadata={"description": "reading, fitting, writing, done, ..."})
    series_done = fields.Integer(required=True)
    series_total = fields.Integer(required=True)
    heartbeat_at = fields.DateTime(allow_none=True, metadata={"description": "Last sign of life of its process."})
    estimated_finish_at = fields.DateTime(allow_none=True, metadata={"description": "From the pace of fitting."})
    cancel_requested_at = fields.DateTime(allow_none=True)
    executor = fields.String(required=True, metadata={"description": "host:pid of the process executing it."})


class RunLogLineOut(Schema):
    at = fields.DateTime(required=True)
    level = fields.String(required=True)
    message = fields.String(required=True)


class SeriesOut(Schema):
    item_id = fields.Integer(required=True)
    item_code = fields.String(attribute="item.code", required=True)
    region_id = fields.Integer(allow_none=True)
    method = fields.String(required=True)
    mase = fields.Float(allow_none=True, metadata={"description": "Backtest MASE of the chosen method."})
    seasonal_naive_mase = fields.Float(allow_none=True, metadata={"description": "Seasonal naive on the same folds."})
    error = fields.String(required=True, metadata={"description": "Why this series failed; empty if it did not."})


class RunDetailOut(RunOut):
    series = fields.List(fields.Nested(SeriesOut), required=True)


class AcknowledgementOut(Schema):
    note = fields.String(required=True)
    by = fields.String(attribute="by.email", required=True)
    at = fields.DateTime(required=True)
    level = fields.Enum(FlagLevel, by_value=True, required=True, metadata={"description": "The level acknowledged."})


class ChangeOut(Schema):
    kind = fields.Enum(FlagEventKind, by_value=True, required=True)
    at = fields.DateTime(required=True)


class FlagOut(Schema):
    """An item's outlook: the same numbers as the dashboard and the item page, computed from the stock as it is now."""

    item_id = fields.Integer(required=True)
    item_code = fields.String(required=True)
    level = fields.Enum(FlagLevel, by_value=True, required=True)
    usable = fields.Integer(required=True, metadata={"description": USABLE})
    reserved = fields.Integer(required=True, metadata={"description": RESERVED})
    committed = fields.Integer(required=True, metadata={"description": COMMITTED})
    pending = fields.Integer(required=True, metadata={"description": PENDING})
    mean_daily_forecast = fields.Float(required=True)
    days_of_supply = fields.Integer(allow_none=True, metadata={"description": DAYS_OF_SUPPLY})
    stockout_central = fields.Date(allow_none=True)
    stockout_pessimistic = fields.Date(allow_none=True, metadata={"description": "On the 1-in-10 demand path."})
    below_safety = fields.Date(allow_none=True)
    probability_lead = fields.Float(required=True, metadata={"description": "P(stock-out within the lead time)."})
    probability_lead_safety = fields.Float(required=True, metadata={
        "description": "P(stock-out within the lead time plus the safety-stock days)."})
    lead_time_days = fields.Integer(required=True)
    safety_stock_days = fields.Integer(required=True)
    projected_waste = fields.Float(required=True, metadata={"description": "Units left to pass their last pick day."})
    forecast_run_id = fields.Integer(allow_none=True)
    stale = fields.Boolean(required=True, metadata={"description": "The forecast in force no longer covers the lead "
                                                                   "time and safety stock."})
    acknowledgement = fields.Nested(AcknowledgementOut, allow_none=True)
    last_change = fields.Nested(ChangeOut, allow_none=True)
    sentence = fields.String(required=True)


class LotWasteOut(Schema):
    lot_id = fields.Integer(required=True)
    units = fields.Float(required=True)


class ProjectionOut(FlagOut):
    factor = fields.Float(required=True)
    days = fields.List(fields.Date(), required=True)
    central = fields.List(fields.Float(), required=True)
    pessimistic = fields.List(fields.Float(), required=True)
    probability = fields.List(fields.Float(), required=True,
                              metadata={"description": "P(stock-out on or before each day)."})
    waste_by_lot = fields.List(fields.Nested(LotWasteOut), required=True)


class FlagEventOut(Schema):
    kind = fields.Enum(FlagEventKind, by_value=True, required=True)
    at = fields.DateTime(required=True)
    level = fields.Enum(FlagLevel, by_value=True, required=True)
    previous_level = fields.Enum(FlagLevel, by_value=True, allow_none=True)
    stockout_central = fields.Date(allow_none=True)
    stockout_pessimistic = fields.Date(allow_none=True)
    probability_lead = fields.Float(required=True)
    cause = fields.String(required=True)
    run_id = fields.Integer(allow_none=True)
    user = fields.String(attribute="user.email", allow_none=True)
    note = fields.String(required=True)


class AcknowledgeIn(Strict):
    note = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class PointOut(Schema):
    day = fields.Date(required=True)
    yhat = fields.Float(required=True)
    yhat_lower = fields.Float(required=True)
    yhat_upper = fields.Float(required=True)


class ForecastOut(Schema):
    run_id = fields.Integer(allow_none=True)
    method = fields.String(allow_none=True)
    mase = fields.Float(allow_none=True)
    seasonal_naive_mase = fields.Float(allow_none=True)
    points = fields.List(fields.Nested(PointOut), required=True)


class ProjectionQuery(Strict):
    factor = fields.Float(load_default=1.0, metadata={"description": "What-if demand factor, 0 < f <= 10."})


class DeliveryIn(Strict):
    item_id = id_field(required=True)
    quantity = fields.Integer(required=True, strict=True,
                              validate=validate.Range(max=1_000_000_000))  # the service checks the rest
    expected_date = fields.Date(required=True)
    supplier = fields.String(required=True, validate=validate.Length(max=120))
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class DeliveryOut(Schema):
    id = fields.Integer(required=True)
    item_id = fields.Integer(required=True)
    item_code = fields.String(attribute="item.code", required=True)
    quantity = fields.Integer(required=True)
    expected_date = fields.Date(required=True)
    supplier = fields.String(required=True)
    status = fields.Enum(DeliveryStatus, by_value=True, required=True)
    note = fields.String(required=True)


class DeliveryStatusIn(Strict):
    status = fields.Enum(DeliveryStatus, by_value=True, required=True,
                         metadata={"description": "received or cancelled"})
