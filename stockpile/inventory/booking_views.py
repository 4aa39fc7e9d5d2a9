"""Logistics pages that book: receive, transfer, issue, adjust, write off, reverse, change status, import."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role
from stockpile.db import commit_before_long_work, session
from stockpile.errors import DomainError, FieldErrors
from stockpile.inventory import bulk_receipts, forms, receipt_import, services
from stockpile.inventory.booking import book_movement
from stockpile.inventory.models import MovementType, QualityStatus, label
from stockpile.reference.models import Item, Warehouse
from stockpile.web import sheets
from stockpile.web.forms import Attempt, attempt, render_form, show_errors

bp = Blueprint("booking", __name__, url_prefix="/inventory")
WRITERS = (Role.LOGISTICS, Role.ADMIN)
KINDS = "receipt,transfer,issue,adjustment,write_off"


def _title(kind: MovementType) -> str:
    titles: dict[MovementType, str] = {
        MovementType.RECEIPT: _("Receive a lot"), MovementType.TRANSFER: _("Transfer"),
        MovementType.ISSUE: _("Issue"), MovementType.ADJUSTMENT: _("Adjust a count"),
        MovementType.WRITE_OFF: _("Write off"),
    }
    return titles[kind]


def _fill_choices(form: FlaskForm) -> None:
    """Active items and warehouses only: inactive ones take no new bookings."""
    warehouses = [SelectChoice(w.id, f"{w.code} {w.name}") for w in
                  session().scalars(select(Warehouse).where(Warehouse.active.is_(True)).order_by(Warehouse.code))]
    for name in ("warehouse_id", "to_warehouse_id"):
        if name in form:
            form[name].choices = warehouses
    if "item_id" in form:
        form["item_id"].choices = [SelectChoice(i.id, f"{i.code} {i.name}") for i in
                                   session().scalars(select(Item).where(Item.active.is_(True)).order_by(Item.code))]


def refuse(form: FlaskForm, error: DomainError) -> None:
    """Show a refusal beside its fields, and its full sentence (with the numbers) above the form."""
    show_errors(form, error)
    if error.errors and not isinstance(error, FieldErrors):
        form.form_errors.append(error.message)


@contextmanager
def refused_on(form: FlaskForm) -> Iterator[Attempt]:
    """Book in a savepoint (see web.forms.attempt); a refusal is shown on the form by `refuse`."""
    with attempt() as outcome:
        yield outcome
    if outcome.error is not None:
        refuse(form, outcome.error)


@bp.route(f"/book/<any({KINDS}):kind>", methods=["GET", "POST"])
@roles_required(*WRITERS)
def book(kind: str) -> Response | tuple[str, int]:
    """Book one movement of a kind; a refusal re-renders the form (422) with the message beside the field."""
    movement_type = MovementType(kind)
    form = forms.BOOKING_FORMS[movement_type](data=_defaults())
    _fill_choices(form)
    if form.validate_on_submit():
        data: dict[str, Any] = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        with refused_on(form) as outcome:
            movement = book_movement({**data, "type": movement_type}, signed_in_user().id)
        if outcome.succeeded:
            flash(_("Booked movement %(id)d.", id=movement.id), "success")
            return redirect(url_for("inventory.lot", lot_id=movement.lot_id))
    return render_form("inventory/form.html", form, title=_title(movement_type))


def _defaults() -> dict[str, Any]:
    """Links from a lot's page prefill its lot and warehouse."""
    return {name: request.args.get(name, type=int) for name in ("lot_id", "warehouse_id") if name in request.args}


@bp.route("/lots/<id:lot_id>/status", methods=["GET", "POST"])
@roles_required(*WRITERS)
def change_status(lot_id: int) -> Response | tuple[str, int]:
    """Move a lot through quality control."""
    lot = services.get_lot(lot_id)
    form = forms.LotStatusForm()
    if form.validate_on_submit():
        with refused_on(form) as outcome:
            services.change_lot_status(lot_id=lot.id, status=QualityStatus(form.status.data), reason=form.reason.data,
                                       user_id=signed_in_user().id)
        if outcome.succeeded:
            status = label(QualityStatus(form.status.data))
            flash(_("Lot %(lot)s is now %(status)s.", lot=lot.lot_number, status=status), "success")
            return redirect(url_for("inventory.lot", lot_id=lot.id))
    return render_form("inventory/form.html", form, title=_("Quality status of lot %(lot)s", lot=lot.lot_number),
                       submit=_("Change status"))


@bp.route("/movements/<id:movement_id>/reverse", methods=["GET", "POST"])
@roles_required(*WRITERS)
def reverse(movement_id: int) -> Response | tuple[str, int]:
    """Undo a movement with a reversal that points to it."""
    movement = services.get_movement(movement_id)
    form = forms.ReverseForm()
    if form.validate_on_submit():
        with refused_on(form) as outcome:
            reversal = services.reverse(movement_id=movement.id, reason=form.reason.data, user_id=signed_in_user().id)
        if outcome.succeeded:
            flash(_("Movement %(id)d reversed by movement %(by)d.", id=movement.id, by=reversal.id), "success")
            return redirect(url_for("inventory.lot", lot_id=movement.lot_id))
    return render_form("inventory/form.html", form, title=_("Reverse movement %(id)d", id=movement.id),
                       submit=_("Reverse"))


@bp.route("/import", methods=["GET", "POST"])
@roles_required(*WRITERS)
def import_receipts() -> Response | tuple[str, int]:
    """Upload a CSV or XLSX of receipts: every line is booked, or none is and every problem of every line is listed."""
    form = forms.ImportForm()
    problems: list[receipt_import.RowError] = []
    if form.validate_on_submit():
        user_id = signed_in_user().id
        # Reading and checking a long file holds no transaction open (on SQLite, no write lock every booking would
        # wait for); checking it against the database and booking it are one short transaction after.
        commit_before_long_work()
        with attempt() as outcome:
            read = receipt_import.read_receipts(form.file.data.stream, current_app.config["IMPORT_MAX_ROWS"])
            record = bulk_receipts.import_file(read, form.file.data.filename or "", user_id)
        if outcome.error is None:
            flash(ngettext("Imported %(num)d receipt (import %(id)d).", "Imported %(num)d receipts (import %(id)d).",
                           record.rows, id=record.id), "success")
            return redirect(url_for("inventory.ledger", type="receipt"))
        show_errors(form, outcome.error)
        form.form_errors = [outcome.error.message]
        if isinstance(outcome.error, receipt_import.ImportRefused):
            problems = outcome.error.rows
    return render_form("inventory/import.html", form, problems=list(receipt_import.lines_of(problems)),
                       help=receipt_import.COLUMN_HELP, max_rows=current_app.config["IMPORT_MAX_ROWS"])


@bp.route(f"/import/template.<any({','.join(sheets.FORMATS)}):fmt>")
@roles_required(*WRITERS)
def import_template(fmt: str) -> Response:
    """An empty receipts file with the right columns; a CSV is separated as Excel in the user's language expects."""
    delimiter = ";" if get_locale() is not None and get_locale().language == "nl" else ","
    return sheets.download("receipts-template", fmt, receipt_import.IMPORT_COLUMNS, list, delimiter)
