"""Marshmallow schemas of alerts: strict inputs, complete outputs."""

from __future__ import annotations

from marshmallow import RAISE, Schema, fields

from stockpile.alerts.models import AlertKind, EmailMode


class Strict(Schema):
    class Meta:
        unknown = RAISE


class NotificationOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.Enum(AlertKind, by_value=True, required=True,
                       metadata={"description": "request, flag, run_failed or delivery_overdue"})
    subject = fields.String(required=True, metadata={"description": "What it is about: request:12, item:3, run:7, "
                                                                    "delivery:5."})
    title = fields.String(required=True, metadata={"description": "What happened, in the reader's language."})
    detail = fields.String(required=True)
    link = fields.String(allow_none=True, metadata={"description": "The page to look at (a path), if the reader may "
                                                                   "open one."})
    created_at = fields.DateTime(required=True)
    read_at = fields.DateTime(allow_none=True)


class NotificationQuery(Strict):
    unread = fields.Boolean(load_default=False, metadata={"description": "Only unread notifications."})


class UnreadOut(Schema):
    unread = fields.Integer(required=True)


class MarkedOut(Schema):
    marked = fields.Integer(required=True, metadata={"description": "How many notifications were unread."})


class PreferenceIn(Strict):
    kind = fields.Enum(AlertKind, by_value=True, required=True)
    enabled = fields.Boolean(required=True, metadata={"description": "Whether this kind makes notifications at all."})
    email = fields.Enum(EmailMode, by_value=True, required=True,
                        metadata={"description": "off, immediate or daily (one digest a day)"})


class PreferencesIn(Strict):
    preferences = fields.List(fields.Nested(PreferenceIn), required=True)


class PreferenceOut(Schema):
    kind = fields.Enum(AlertKind, by_value=True, required=True)
    enabled = fields.Boolean(required=True)
    email = fields.Enum(EmailMode, by_value=True, required=True)
