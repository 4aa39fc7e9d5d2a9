"""Marshmallow schemas of forecasting: strict inputs, complete outputs."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from stockpile.api import id_field
from stockpile.forecast.flags import explain
from stockpile.forecast.models import DeliveryStatus, FlagChange, FlagLevel, RunStatus, RunTrigger


class Strict(Schema):
    class Meta:
        unknown = RAISE


class RunOut(Schema):
    id = fields.Integer(required=True)
    status = fields.Enum(RunStatus, by_value=True, required=True)
    trigger = fields.Enum(RunTrigger, by_value=True, required=True)
    started_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(allow_none=True)
    horizon_days = fields.Integer(required=True)
    series_count = fields.Integer(required=True)
    failed_series = fields.Integer(required=True)
    error_summary = fields.String(required=True)


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


class FlagOut(Schema):
    id = fields.Integer(required=True)
    run_id = fields.Integer(required=True)
    item_id = fields.Integer(required=True)
    item_code = fields.String(attribute="item.code", required=True)
    level = fields.Enum(FlagLevel, by_value=True, required=True)
    change = fields.Enum(FlagChange, by_value=True, required=True)
    usable_stock = fields.Integer(required=True)
    mean_daily_forecast = fields.Float(required=True)
    days_of_supply = fields.Float(allow_none=True)
    stockout_central = fields.Date(allow_none=True)
    stockout_pessimistic = fields.Date(allow_none=True)
    below_safety = fields.Date(allow_none=True)
    stockout_probability = fields.Float(required=True, metadata={"description": "Before the lead time."})
    lead_time_days = fields.Integer(required=True)
    acknowledged_at = fields.DateTime(allow_none=True)
    acknowledgement_note = fields.String(required=True)
    sentence = fields.Method("_sentence", required=True)

    def _sentence(self, flag: Any) -> str:
        return explain(flag.item.code, flag.level, flag.usable_stock, flag.mean_daily_forecast,
                       flag.stockout_pessimistic, flag.run.started_at.date(), flag.lead_time_days,
                       flag.safety_stock_days)


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


class ProjectionOut(Schema):
    factor = fields.Float(required=True)
    level = fields.Enum(FlagLevel, by_value=True, required=True)
    usable_now = fields.Integer(required=True)
    mean_daily_forecast = fields.Float(required=True)
    days_of_supply = fields.Float(allow_none=True)
    stockout_central = fields.Date(allow_none=True)
    stockout_pessimistic = fields.Date(allow_none=True)
    below_safety = fields.Date(allow_none=True)
    stockout_probability = fields.Float(required=True)
    days = fields.List(fields.Date(), required=True)
    central = fields.List(fields.Float(), required=True)
    pessimistic = fields.List(fields.Float(), required=True)


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
