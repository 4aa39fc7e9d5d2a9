"""Pages: scarcity dashboard, an item's outlook with chart and what-if, runs, and expected deliveries."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role
from stockpile.db import session
from stockpile.errors import DomainError
from stockpile.forecast import forms, queries, services
from stockpile.forecast.chart import build_chart
from stockpile.forecast.flags import change_label, explain, level_label
from stockpile.forecast.models import DeliveryStatus, RunStatus
from stockpile.forecast.outlook import item_outlook, launch_run
from stockpile.reference.models import Item
from stockpile.web.forms import INVALID_FORM_STATUS, render_form, show_errors, shown_on
from stockpile.web.navigation import NavEntry, Panel, PanelEntry, WebPart

bp = Blueprint("forecast", __name__, url_prefix="/forecast", template_folder="templates")
PLANNERS = (Role.CONTINUITY, Role.ADMIN)
DELIVERY_KEEPERS = (Role.LOGISTICS, Role.ADMIN)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"level_label": level_label, "change_label": change_label, "explain": explain}


@bp.route("/")
@roles_required(*PLANNERS)
def dashboard() -> str:
    """Items by projected stock-out with their flag, days of supply and change since the previous run."""
    run = queries.latest_run()
    flags = queries.flags_of(run.id) if run else []
    running = queries.latest_run(RunStatus.RUNNING)
    return render_template("forecast/dashboard.html", run=run, flags=flags, running=running)


@bp.route("/items/<id:item_id>")
@roles_required(*PLANNERS)
def item_page(item_id: int) -> tuple[str, int]:
    """One item: chart, backtest MASE, the flag with its acknowledgement, and a what-if factor."""
    what_if = forms.WhatIfForm(request.args)
    factor, status = 1.0, 200
    if "factor" in request.args:
        try:
            factor = services.check_factor(float(what_if.factor.data) if what_if.validate() else None)
        except DomainError as error:
            show_errors(what_if, error)
            status = INVALID_FORM_STATUS
    outlook = item_outlook(item_id, factor)
    return render_template("forecast/item.html", outlook=outlook, chart=build_chart(outlook), what_if=what_if,
                           ack=forms.AcknowledgeForm()), status


@bp.route("/flags/<id:flag_id>/acknowledge", methods=["POST"])
@roles_required(*PLANNERS)
def acknowledge(flag_id: int) -> Response | tuple[str, int]:
    """Acknowledge a flag with a note."""
    flag = queries.get_flag(flag_id)
    form = forms.AcknowledgeForm()
    if form.validate_on_submit():
        with shown_on(form) as outcome:
            services.acknowledge_flag(flag, form.note.data or "", signed_in_user().id)
        if outcome.succeeded:
            flash(_("Flag acknowledged."), "success")
            return redirect(url_for("forecast.item_page", item_id=flag.item_id))
    return render_form("forecast/acknowledge.html", form, flag=flag)


@bp.route("/runs")
@roles_required(*PLANNERS)
def list_runs() -> str:
    """Run history, newest first."""
    runs = session().scalars(queries.runs_query().limit(50)).all()
    return render_template("forecast/runs.html", runs=runs)


@bp.route("/runs/<id:run_id>")
@roles_required(*PLANNERS)
def run_page(run_id: int) -> str:
    """One run with each series' method, backtest MASE and error."""
    run = queries.get_run(run_id)
    return render_template("forecast/run.html", run=run, series=queries.series_of(run.id))


@bp.route("/runs/start", methods=["POST"])
@roles_required(*PLANNERS)
def start_run() -> Response:
    """Start a run now; refused with a message while one runs."""
    # Not in a savepoint: with FORECAST_RUN_INLINE the run commits inside. A refusal (a run is running) comes
    # before anything is written, so the boundary has nothing of it to commit.
    try:
        run = launch_run(signed_in_user().id)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("forecast.list_runs"))
    flash(_("Forecast run %(id)d started.", id=run.id), "success")
    return redirect(url_for("forecast.list_runs"))


@bp.route("/deliveries")
@roles_required(Role.LOGISTICS, Role.CONTINUITY, Role.ADMIN)
def list_deliveries() -> str:
    """Deliveries still expected, by date."""
    return render_template("forecast/deliveries.html", deliveries=session().scalars(queries.deliveries_query()).all())


@bp.route("/deliveries/new", methods=["GET", "POST"])
@roles_required(*DELIVERY_KEEPERS)
def new_delivery() -> Response | tuple[str, int]:
    """Record an expected delivery; a past date or a quantity below 1 is shown beside its field."""
    form = forms.DeliveryForm()
    items = session().scalars(select(Item).where(Item.active.is_(True)).order_by(Item.code))
    form.item_id.choices = [SelectChoice(str(i.id), f"{i.code} {i.name}") for i in items]  # type: ignore[assignment]
    if form.validate_on_submit():
        with shown_on(form) as outcome:
            services.record_delivery(item_id=form.item_id.data, quantity=form.quantity.data,  # type: ignore[arg-type]
                                     expected_date=form.expected_date.data,  # type: ignore[arg-type]
                                     supplier=form.supplier.data or "", note=form.note.data or "",
                                     user_id=signed_in_user().id)
        if outcome.succeeded:
            flash(_("Delivery recorded."), "success")
            return redirect(url_for("forecast.list_deliveries"))
    return render_form("forecast/delivery_form.html", form)


@bp.route("/deliveries/<id:delivery_id>/<any(received,cancelled):status>", methods=["POST"])
@roles_required(*DELIVERY_KEEPERS)
def close_delivery(delivery_id: int, status: str) -> Response:
    """Mark a delivery received or cancelled."""
    services.close_delivery(delivery_id, DeliveryStatus(status), signed_in_user().id)
    flash(_("Delivery marked %(status)s.", status=status), "success")
    return redirect(url_for("forecast.list_deliveries"))


def scarcity_panel(_user: Any) -> Panel:
    """The dashboard panel of the continuity section: the flags in force, most urgent first."""
    flags = [flag for flag in queries.current_flags() if flag.level.value != "none"]
    rows: list[tuple[Any, Any]] = [
        (flag.item.code, f"{flag.level.value} · {flag.stockout_pessimistic.isoformat()}"
         if flag.stockout_pessimistic else flag.level.value)
        for flag in flags[:8]
    ]
    return Panel(_l("Scarcity flags in force"), rows=rows,
                 empty=_l("No item is flagged, or no forecast has run yet."),
                 link=(url_for("forecast.dashboard"), _l("Scarcity dashboard")))


PAGES = WebPart(
    blueprints=(bp,),
    nav=(
        NavEntry("forecast.dashboard", _l("Scarcity"), PLANNERS),
        NavEntry("forecast.list_runs", _l("Forecast runs"), PLANNERS),
        NavEntry("forecast.list_deliveries", _l("Expected deliveries"), (Role.LOGISTICS, Role.CONTINUITY, Role.ADMIN)),
    ),
    panels=(PanelEntry(PLANNERS, scarcity_panel),),
)
