"""The region's pages: list, create, edit, submit, cancel, follow and confirm receipt of requests."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from stockpile import formats
from stockpile.api import MAX_ID
from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role
from stockpile.db import session
from stockpile.errors import DomainError
from stockpile.reference.models import EssentialProcess, Item, Warehouse
from stockpile.requests import policy, queries, services
from stockpile.requests.forms import EmptyForm, ReasonForm, RequestForm, ShipForm
from stockpile.requests.models import RequestState, SupplyRequest
from stockpile.requests.policy import STATE_LABELS
from stockpile.requests.validation import DraftData, check_draft
from stockpile.web.forms import attempt, render_form, show_errors, shown_on

bp = Blueprint("requests", __name__, url_prefix="/requests")
ViewResult = Response | str | tuple[str, int]
EVERYONE = tuple(Role)


def _choices(form: RequestForm) -> None:
    processes = session().scalars(select(EssentialProcess).where(EssentialProcess.active.is_(True))
                                  .order_by(EssentialProcess.priority_tier, EssentialProcess.code))
    form.essential_process_id.choices = [SelectChoice(str(p.id), f"{p.code} {p.name} (tier {p.priority_tier})")
                                         for p in processes]
    warehouses = session().scalars(select(Warehouse).where(Warehouse.active.is_(True)).order_by(Warehouse.code))
    form.delivery_warehouse_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(str(w.id), f"{w.code} {w.name}") for w in warehouses]
    items = session().scalars(select(Item).where(Item.active.is_(True)).order_by(Item.code)).all()
    item_choices = [SelectChoice("", "—")] + [SelectChoice(str(i.id), f"{i.code} {i.name}") for i in items]
    for entry in form.lines:
        entry.form.item_id.choices = item_choices
    region_id = signed_in_user().region_id
    earlier = queries.reaskable_requests(region_id) if region_id is not None else []
    form.reask_of_id.choices = [SelectChoice("", _("— (a new need)"))] + [
        SelectChoice(str(r.id), _("%(number)s, needed by %(date)s (%(state)s)", number=r.number,
                                  date=formats.date(r.needed_by), state=STATE_LABELS[r.state])) for r in earlier]


def _draft_data(form: RequestForm) -> DraftData:
    lines = []
    for entry in form.lines:
        item, quantity = entry.form.item_id.data, entry.form.quantity.data
        if item or quantity is not None:
            lines.append((_id_or_zero(item), quantity if quantity is not None else 0))
    warehouse = form.delivery_warehouse_id.data
    return DraftData(
        essential_process_id=form.essential_process_id.data or 0, needed_by=form.needed_by.data,
        justification=form.justification.data or "", contact=form.contact.data or "", lines=lines,
        delivery_warehouse_id=(_id_or_zero(warehouse) or -1) if warehouse else None,
        delivery_address=form.delivery_address.data or "", form_token=form.form_token.data or None,
        reask_of_id=_id_or_zero(form.reask_of_id.data) if form.reask_of_id.data else None,
    )


def _validated(form: RequestForm) -> bool:
    """WTForms' checks, plus the service's, so every problem shows at once beside its field."""
    if not form.is_submitted():
        return False
    if form.validate():
        return True
    try:
        check_draft(_draft_data(form), signed_in_user().region_id or 0)
    except DomainError as error:
        show_errors(form, error)
    return False


@bp.route("")
@roles_required(*EVERYONE)
def list_requests() -> str:
    """Requests the user may see, filtered by state."""
    state = request.args.get("state") or None
    stmt = queries.visible_requests(signed_in_user())
    if state in {s.value for s in RequestState}:
        stmt = stmt.where(SupplyRequest.state == state)
    rows = session().scalars(stmt.limit(500)).all()
    return render_template("requests/list.html", rows=rows, state=state, states=list(RequestState))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.REGION)
def new_request() -> ViewResult:
    """A new request with several lines, saved as a draft (and submitted at once when asked)."""
    form = RequestForm()
    _choices(form)
    if request.method == "GET":
        form.form_token.data = secrets.token_hex(16)
    if _validated(form):
        with shown_on(form) as outcome:
            created = services.create_draft(signed_in_user(), _draft_data(form))
            if request.form.get("action") == "submit":
                services.submit(created, signed_in_user())
        if outcome.succeeded:
            flash(_("Request %(number)s saved as %(state)s.", number=created.number, state=STATE_LABELS[created.state]),
                  "success")
            return redirect(url_for("requests.show_request", request_id=created.id))
    return render_form("requests/form.html", form, title=_("New request"))


@bp.route("/<id:request_id>/edit", methods=["GET", "POST"])
@roles_required(Role.REGION)
def edit_request(request_id: int) -> ViewResult:
    """Edit a draft."""
    supply_request = queries.get_request_for(signed_in_user(), request_id)
    form = RequestForm(obj=supply_request if request.method == "GET" else None)
    if request.method == "GET":
        _fill_lines(form, supply_request)
    _choices(form)
    if _validated(form):
        with shown_on(form) as outcome:
            data = _draft_data(form)
            data.form_token = None
            services.update_draft(supply_request, signed_in_user(), data)
            if request.form.get("action") == "submit":
                services.submit(supply_request, signed_in_user())
        if outcome.succeeded:
            flash(_("Request %(number)s saved.", number=supply_request.number), "success")
            return redirect(url_for("requests.show_request", request_id=supply_request.id))
    return render_form("requests/form.html", form, title=supply_request.number, supply_request=supply_request)


def _fill_lines(form: RequestForm, supply_request: SupplyRequest) -> None:
    for entry, line in zip(form.lines, supply_request.lines, strict=False):
        entry.form.item_id.data = str(line.item_id)
        entry.form.quantity.data = line.quantity_requested
    form.delivery_warehouse_id.data = str(supply_request.delivery_warehouse_id or "")
    form.reask_of_id.data = str(supply_request.reask_of_id or "")


@bp.route("/<id:request_id>")
@roles_required(*EVERYONE)
def show_request(request_id: int) -> str:
    """A request with its lines, history and the actions open to the user."""
    supply_request = queries.get_request_for(signed_in_user(), request_id)
    actions = {action.value for action in policy.allowed_actions(supply_request, signed_in_user())}
    return render_template("requests/show.html", r=supply_request, user=signed_in_user(), actions=actions,
                           button=EmptyForm(), reason_form=ReasonForm(), ship_form=ShipForm())


def _step(request_id: int, step: Any, done: str) -> Response:
    """Run one workflow step from a button; a refusal is flashed on the request's page."""
    supply_request = queries.get_request_for(signed_in_user(), request_id)
    with attempt() as outcome:
        step(supply_request)
    if outcome.error is not None:
        error = outcome.error
        flash(error.message + "".join(f" {' '.join(m)}" for m in error.errors.values() if m != [error.message]),
              "error")
    else:
        flash(done, "success")
    return redirect(url_for("requests.show_request", request_id=request_id))


@bp.route("/<id:request_id>/submit", methods=["POST"])
@roles_required(Role.REGION)
def submit_request(request_id: int) -> Response:
    """Send a draft for review."""
    return _step(request_id, lambda r: services.submit(r, signed_in_user()), _("Request submitted for review."))


@bp.route("/<id:request_id>/cancel", methods=["POST"])
@roles_required(Role.REGION, Role.CONTINUITY)
def cancel_request(request_id: int) -> Response:
    """Cancel: the region before review, the continuity section with a reason until picking."""
    reason = request.form.get("reason", "")
    return _step(request_id, lambda r: services.cancel(r, signed_in_user(), reason), _("Request cancelled."))


@bp.route("/<id:request_id>/confirm", methods=["GET", "POST"])
@roles_required(Role.REGION)
def confirm_request(request_id: int) -> ViewResult:
    """Confirm receipt line by line; a difference needs a note."""
    supply_request = queries.get_request_for(signed_in_user(), request_id)
    form, errors = EmptyForm(), {}
    if form.validate_on_submit():
        received = {line.id: (_int_or_none(request.form.get(f"received-{line.id}")),
                              request.form.get(f"note-{line.id}", "")) for line in supply_request.lines}
        with attempt() as outcome:
            services.confirm_receipt(supply_request, signed_in_user(), received)
        if outcome.error is not None:
            errors = outcome.error.errors or {"form": [outcome.error.message]}
        else:
            flash(_("Receipt confirmed."), "success")
            return redirect(url_for("requests.show_request", request_id=request_id))
    status = 422 if errors else 200
    return render_template("requests/confirm.html", r=supply_request, form=form, errors=errors,
                           values=request.form), status


def _id_or_zero(value: str | None) -> int:
    """A posted id, or 0 (which matches nothing) for text, symbols or numbers no row can have."""
    if value and value.isascii() and value.isdigit() and int(value) <= MAX_ID:
        return int(value)
    return 0


def _int_or_none(value: str | None) -> int | None:
    if value is None or not value.strip().lstrip("-").isascii() or not value.strip().lstrip("-").isdigit():
        return None
    number = int(value)
    return number if abs(number) <= MAX_ID else None
