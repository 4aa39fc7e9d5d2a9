"""Forms for the administrator's reference-data pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Regexp

from stockpile.reference.models import ItemCategory
from stockpile.web.form_base import FlaskForm

CODE_RULE = Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", message=_l("Use letters, digits, '-', '_' or '.'."))
CATEGORY_CHOICES = [
    SelectChoice(ItemCategory.RESPIRATORY.value, _l("Respiratory protection")),
    SelectChoice(ItemCategory.FACE_EYE.value, _l("Face and eye protection")),
    SelectChoice(ItemCategory.HAND.value, _l("Hand protection")),
    SelectChoice(ItemCategory.BODY.value, _l("Body protection")),
    SelectChoice(ItemCategory.HYGIENE.value, _l("Hygiene and disinfection")),
]


class RegionForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(min=2, max=8), CODE_RULE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    active = BooleanField(_l("Active"), default=True)


class ProcessForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32), CODE_RULE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    sector = StringField(_l("Sector"), validators=[DataRequired(), Length(max=120)])
    priority_tier = IntegerField(_l("Priority tier (1 is served first)"),
                                 validators=[InputRequired(), NumberRange(min=1, max=9)])
    policy_reason = TextAreaField(_l("Why the priority tier changes (kept in the policy log)"),
                                  validators=[Length(max=2000)])
    active = BooleanField(_l("Active"), default=True)


class ItemForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32), CODE_RULE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    category = SelectField(_l("Category"), choices=CATEGORY_CHOICES, validators=[DataRequired()])
    unit_of_issue = StringField(_l("Unit of issue"), validators=[DataRequired(), Length(max=32)])
    units_per_pack = IntegerField(_l("Units per pack"), default=1,
                                  validators=[InputRequired(), NumberRange(min=1, max=1_000_000)])
    en_standard = StringField(_l("EN standard"), validators=[Length(max=120)])
    shelf_life_months = IntegerField(_l("Shelf life (months)"), default=60,
                                     validators=[InputRequired(), NumberRange(min=0, max=600)])
    lead_time_days = IntegerField(_l("Lead time (days)"), default=14,
                                  validators=[InputRequired(), NumberRange(min=0, max=3650)])
    safety_stock_days = IntegerField(_l("Safety stock (days)"), default=14,
                                     validators=[InputRequired(), NumberRange(min=0, max=3650)])
    active = BooleanField(_l("Active"), default=True)


class WarehouseForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32), CODE_RULE])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    address = TextAreaField(_l("Address"), validators=[Length(max=500)])
    region_id = SelectField(_l("Region"), coerce=int, choices=[], validators=[InputRequired()])
    active = BooleanField(_l("Active"), default=True)
