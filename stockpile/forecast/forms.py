"""Forms of the forecast and delivery pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from stockpile.web.form_base import FlaskForm


class WhatIfForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    factor = DecimalField(_l("Scale forecast demand by"), default=1, places=None, validators=[InputRequired()])


class AcknowledgeForm(FlaskForm):
    note = TextAreaField(_l("Note (what is being done)"), validators=[DataRequired(), Length(max=2000)])


class DeliveryForm(FlaskForm):
    item_id = SelectField(_l("Item"), coerce=int, choices=[], validators=[InputRequired()])
    quantity = IntegerField(_l("Quantity"), validators=[InputRequired()])
    expected_date = DateField(_l("Expected date"), validators=[InputRequired()])
    supplier = StringField(_l("Supplier"), validators=[DataRequired(), Length(max=120)])
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])
