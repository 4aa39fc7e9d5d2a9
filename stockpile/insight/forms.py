"""Forms of the insight pages (GET forms: they change nothing)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms.validators import InputRequired

from stockpile.web.form_base import FlaskForm


class RiskDateForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    date = DateField(_l("Stock-out before"), validators=[InputRequired()])
