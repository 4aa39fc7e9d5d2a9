"""Pages of the continuity section (review, rationing, allocations), logistics (pick, ship) and overviews."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms.fields.choices import SelectChoice

from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role
from stockpile.db import session
from stockpile.forecast.outlook import item_outlook
from stockpile.reference.models import EssentialProcess, Item
from stockpile.requests import allocations, queries, reservations, scarcity, services
from stockpile.requests.forms import AllocationForm, EmptyForm, ShipForm
from stockpile.requests.models import Allocation, AllocationChange, SupplyRequest
from stockpile.requests.policy import STATE_LABELS
from stockpile.requests.views import _int_or_none, _step
from stockpile.web import sheets
from stockpile.web.forms import attempt, render_form, shown_on

bp = Blueprint("review", __name__, url_prefix="/review")
ViewResult = WerkzeugResponse | str | tuple[str, int]


@bp.route("")
@roles_required(Role.CONTINUITY, Role.ADMIN)
def queue() -> str:
    """Submitted requests ordered by tier and needed-by date, and the items that need rationing."""
    return render_template("requests/queue.html", rows=queries.review_queue(), scarce=queries.scarce_items())


@bp.route("/requests/<id:request_id>", methods=["GET", "POST"])
@roles_required(Role.CONTINUITY)
def review_request(request_id: int) -> ViewResult:
    """Approve each line in full or in part, or reject with a reason; free stock and allocation beside each line."""
    supply_request = queries.get_request_for(signed_in_user(), request_id)
    form, errors = EmptyForm(), {}
    if form.validate_on_submit():
        with attempt() as outcome:
            if request.form.get("action") == "reject":
                services.reject(supply_request, signed_in_user(), request.form.get("reason", ""),
                                {"yes": True, "no": False}.get(request.form.get("for_scarcity", "")))
            else:
                decisions = {line.id: (_int_or_none(request.form.get(f"qty-{line.id}")),
                                       request.form.get(f"note-{line.id}", "")) for line in supply_request.lines}
                services.approve(supply_request, signed_in_user(), decisions)
        if outcome.error is not None:
            errors = outcome.error.errors or {"form": [outcome.error.message]}
        else:
            flash(_("Request %(number)s is now %(state)s.", number=supply_request.number,
                    state=STATE_LABELS[supply_request.state]), "success")
            return redirect(url_for("review.queue"))
    context = _line_context(supply_request)
    return render_template("requests/review.html", r=supply_request, form=form, errors=errors,
                           values=request.form, lines=context), 422 if errors else 200


def _line_context(supply_request: SupplyRequest) -> dict[int, dict[str, object]]:
    process_id = supply_request.essential_process_id
    context = {}
    for line in supply_request.lines:
        allocation = allocations.allocation_for(process_id, line.item_id)
        context[line.id] = {
            "free": reservations.free_for_process(line.item_id, process_id),
            "allocation": allocation,
            "flag": _scarcity_flag(line.item_id),
        }
    return context


def _scarcity_flag(item_id: int) -> object:
    """The item's scarcity flag as of now (its outlook)."""
    return item_outlook(item_id)


@bp.route("/rationing/<id:item_id>", methods=["GET", "POST"])
@roles_required(Role.CONTINUITY)
def rationing(item_id: int) -> ViewResult:
    """The rationing proposal beside what was asked; the reviewer accepts it or edits it line by line."""
    proposal = scarcity.propose(item_id)
    form, errors = EmptyForm(), {}
    if form.validate_on_submit():
        # The lines the reviewer saw, not the lines open now: a request submitted meanwhile must not be decided.
        shown = [int(value) for value in request.form.getlist("line") if value.isascii() and value.isdigit()]
        quantities = {line_id: _int_or_none(request.form.get(f"qty-{line_id}")) for line_id in shown}
        with attempt() as outcome:
            decided = services.accept_rationing(item_id, quantities, signed_in_user())
        if outcome.error is not None:
            errors = {"form": [outcome.error.message, *[m for ms in outcome.error.errors.values() for m in ms]]}
        else:
            flash(ngettext("%(num)d request decided.", "%(num)d requests decided.", len(decided)), "success")
            return redirect(url_for("review.queue"))
    return render_template("requests/rationing.html", proposal=proposal, form=form, errors=errors,
                           values=request.form), 422 if errors else 200


@bp.route("/allocations", methods=["GET", "POST"])
@roles_required(Role.CONTINUITY, Role.ADMIN)
def allocation_page() -> ViewResult:
    """Ring-fenced stock per process and item, with the history of every change."""
    form = AllocationForm()
    processes = session().scalars(select(EssentialProcess).where(EssentialProcess.active.is_(True))
                                  .order_by(EssentialProcess.priority_tier, EssentialProcess.code))
    form.essential_process_id.choices = [SelectChoice(str(p.id), f"{p.code} (tier {p.priority_tier})")
                                         for p in processes]
    items = session().scalars(select(Item).where(Item.active.is_(True)).order_by(Item.code))
    form.item_id.choices = [SelectChoice(str(i.id), f"{i.code} {i.name}") for i in items]
    if form.validate_on_submit():
        with shown_on(form) as outcome:
            services.set_allocation(form.essential_process_id.data or 0, form.item_id.data or 0,
                                    form.quantity.data or 0, form.reason.data or "", signed_in_user())
        if outcome.succeeded:
            flash(_("Allocation saved."), "success")
            return redirect(url_for("review.allocation_page"))
    rows = session().scalars(select(Allocation).order_by(Allocation.item_id, Allocation.essential_process_id)).all()
    history = session().scalars(select(AllocationChange).order_by(AllocationChange.id.desc()).limit(100)).all()
    free = {row.item_id: reservations.usable_free(row.item_id) for row in rows}
    return render_form("requests/allocations.html", form, rows=rows, history=history, free=free)


@bp.route("/picking")
@roles_required(Role.LOGISTICS, Role.ADMIN)
def picking_queue() -> str:
    """Approved requests to pick and picked ones to ship."""
    return render_template("requests/picking_queue.html", rows=queries.logistics_queue())


@bp.route("/requests/<id:request_id>/pick", methods=["GET", "POST"])
@roles_required(Role.LOGISTICS)
def pick(request_id: int) -> ViewResult:
    """The pick list (reserved FEFO lots per line); posting books the issue movements."""
    if request.method == "POST" and EmptyForm().validate_on_submit():
        return _step(request_id, lambda r: services.pick(r, signed_in_user()), _("Picks booked."))
    supply_request = queries.get_request_for(signed_in_user(), request_id)
    return render_template("requests/pick.html", r=supply_request, form=EmptyForm())


@bp.route("/requests/<id:request_id>/ship", methods=["POST"])
@roles_required(Role.LOGISTICS)
def ship(request_id: int) -> ViewResult:
    """Record carrier and reference."""
    form = ShipForm()
    if not form.validate_on_submit():
        supply_request = queries.get_request_for(signed_in_user(), request_id)
        return render_form("requests/ship.html", form, r=supply_request)
    return _step(request_id, lambda r: services.ship(r, signed_in_user(), form.carrier.data or "",
                                                     form.reference.data or ""), _("Shipment recorded."))


@bp.route("/overview")
@roles_required(*Role)
def overview() -> str:
    """Open requests by state and age, and fill rates per item, process and region (a region: its own)."""
    region_id, by = _overview_scope()
    return render_template("requests/overview.html", states=queries.open_by_state(region_id),
                           rates=queries.fill_rates(by, region_id), by=by)


def _overview_scope() -> tuple[int | None, str]:
    """A region sees its own figures, everyone else the nation's; grouped by item, process or region."""
    user = signed_in_user()
    by = request.args.get("by", "item")
    return (user.region_id if user.role is Role.REGION else None), (by if by in queries.GROUPS else "item")


@bp.route(f"/overview.<any({','.join(sheets.FORMATS)}):fmt>")
@roles_required(*Role)
def overview_file(fmt: str) -> Response:
    """The fill rates as a CSV or XLSX file (a region: its own)."""
    region_id, by = _overview_scope()
    header = [by, "name", "requested", "approved", "issued", "received", "approved_share", "received_share"]
    return sheets.download(f"fill-rates-{by}", fmt, header, lambda: (
        [rate.key, rate.name, rate.requested, rate.approved, rate.issued, rate.received,
         _share(rate.approval_rate), _share(rate.delivery_rate)] for rate in queries.fill_rates(by, region_id)))


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
