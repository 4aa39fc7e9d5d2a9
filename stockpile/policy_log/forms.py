"""Forms of the policy page: the crisis phase and the minimum shelf life, each with its reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from stockpile.policy_log.models import PHASE_LABELS
from stockpile.policy_log.services import MAX_SHELF_LIFE_DAYS
from stockpile.web.form_base import FlaskForm


class PhaseForm(FlaskForm):
    """Declare a new crisis phase."""

    phase = SelectField(_l("Crisis phase"), choices=[SelectChoice(p.value, label) for p, label in PHASE_LABELS.items()],
                        validators=[DataRequired()])
    reason = TextAreaField(_l("Why"), validators=[DataRequired(), Length(max=2000)])


class ShelfLifeForm(FlaskForm):
    """Set the minimum shelf life a lot must have left to be reserved or picked."""

    days = IntegerField(_l("Minimum shelf life left (days)"),
                        validators=[InputRequired(), NumberRange(min=0, max=MAX_SHELF_LIFE_DAYS)])
    reason = TextAreaField(_l("Why"), validators=[DataRequired(), Length(max=2000)])
