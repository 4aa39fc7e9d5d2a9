"""Web forms of the request workflow."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from stockpile.web.form_base import FlaskForm, Form

LINE_ROWS = 6


class LineForm(Form):
    """One line: an item and a quantity; blank rows are ignored."""

    item_id = SelectField(_l("Item"), coerce=str, choices=[], validate_choice=False)
    quantity = IntegerField(_l("Quantity"), validators=[Optional(), NumberRange(min=1, max=1_000_000_000)])


class RequestForm(FlaskForm):
    """A region's request."""

    essential_process_id = SelectField(_l("Essential process"), coerce=int, choices=[], validators=[InputRequired()])
    needed_by = DateField(_l("Needed by"), validators=[InputRequired()])
    delivery_warehouse_id = SelectField(_l("Deliver to warehouse"), coerce=str, choices=[],
                                        validate_choice=False)
    delivery_address = TextAreaField(_l("or delivery address"), validators=[Length(max=1000)])
    contact = StringField(_l("Contact person and phone"), validators=[DataRequired(), Length(max=200)])
    justification = TextAreaField(_l("Justification"), validators=[DataRequired(), Length(max=4000)])
    lines = FieldList(FormField(LineForm), min_entries=LINE_ROWS, max_entries=50)
    reask_of_id = SelectField(_l("Asks again for request"), coerce=str, choices=[], validate_choice=False,
                              description=_l("Only when this asks again for what a rejected or cut request of your "
                                             "region did not get: the forecast then counts that need once."))
    # The id of the form the user loaded: a second submission of the same page is recognised and refused.
    form_token = HiddenField()


class ReasonForm(FlaskForm):
    """A reason, for rejecting or cancelling."""

    reason = TextAreaField(_l("Reason"), validators=[Length(max=1000)])


class ShipForm(FlaskForm):
    """Carrier and reference of a shipment."""

    carrier = StringField(_l("Carrier"), validators=[DataRequired(), Length(max=120)])
    reference = StringField(_l("Reference"), validators=[Length(max=120)])


class AllocationForm(FlaskForm):
    """Ring-fence stock of an item for a process."""

    essential_process_id = SelectField(_l("Essential process"), coerce=int, choices=[], validators=[InputRequired()])
    item_id = SelectField(_l("Item"), coerce=int, choices=[], validators=[InputRequired()])
    quantity = IntegerField(_l("Quantity ring-fenced"), validators=[InputRequired(), NumberRange(min=0)])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


class EmptyForm(FlaskForm):
    """A button that posts: only the CSRF token."""
