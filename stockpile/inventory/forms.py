"""Forms of the logistics pages; field names match the services' error fields so refusals land beside them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from stockpile.inventory.models import MovementType, QualityStatus, label
from stockpile.web.form_base import FlaskForm, Form

STATUS_CHOICES = [SelectChoice(s.value, label(s)) for s in QualityStatus]
RECEIVABLE_CHOICES = [SelectChoice(s.value, label(s)) for s in (QualityStatus.QUARANTINE, QualityStatus.RELEASED,
                                                      QualityStatus.BLOCKED)]


def quantity_field() -> IntegerField:
    """Whole units, at least one; fractions and text fail here, before any service is called."""
    return IntegerField(_l("Quantity"), validators=[InputRequired(), NumberRange(min=1, max=1_000_000_000)])


class BookingForm(FlaskForm):
    quantity = quantity_field()
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    reference = StringField(_l("Reference (order, delivery note)"), validators=[Length(max=120)])


class ReceiptForm(BookingForm):
    item_id = SelectField(_l("Item"), coerce=int, choices=[], validators=[InputRequired()])
    lot_number = StringField(_l("Lot number"), validators=[DataRequired(), Length(max=64)])
    supplier = StringField(_l("Supplier"), validators=[DataRequired(), Length(max=120)])
    expiry_date = DateField(_l("Expiry date"), validators=[InputRequired()])
    manufacture_date = DateField(_l("Manufacture date"), validators=[Optional()])
    quality_status = SelectField(_l("Quality status"), choices=RECEIVABLE_CHOICES, default="quarantine")
    warehouse_id = SelectField(_l("Into warehouse"), coerce=int, choices=[], validators=[InputRequired()])


class LotBookingForm(BookingForm):
    lot_id = IntegerField(_l("Lot id"), validators=[InputRequired(), NumberRange(min=1)])
    warehouse_id = SelectField(_l("Warehouse"), coerce=int, choices=[], validators=[InputRequired()])


class TransferForm(LotBookingForm):
    to_warehouse_id = SelectField(_l("To warehouse"), coerce=int, choices=[], validators=[InputRequired()])


class AdjustmentForm(LotBookingForm):
    direction = SelectField(_l("Direction"), choices=[SelectChoice("increase", _l("Increase (found more)")),
                                                      SelectChoice("decrease", _l("Decrease (found fewer)"))])


class LotStatusForm(FlaskForm):
    status = SelectField(_l("New status"), choices=STATUS_CHOICES)
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class ReverseForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


class LedgerFilterForm(Form):
    """The ledger's filters, read from the query string (a GET form needs no CSRF token)."""

    item_id = SelectField(_l("Item"), coerce=int, choices=[], validators=[Optional()])
    warehouse_id = SelectField(_l("Warehouse"), coerce=int, choices=[], validators=[Optional()])
    type = SelectField(_l("Type"), validators=[Optional()],
                       choices=[SelectChoice("", _l("all")), *(SelectChoice(t.value, label(t)) for t in MovementType)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])


BOOKING_FORMS: dict[MovementType, type[BookingForm]] = {
    MovementType.RECEIPT: ReceiptForm,
    MovementType.TRANSFER: TransferForm,
    MovementType.ISSUE: LotBookingForm,
    MovementType.ADJUSTMENT: AdjustmentForm,
    MovementType.WRITE_OFF: LotBookingForm,
}
