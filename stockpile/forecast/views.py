"""Pages: scarcity dashboard, an item's outlook with chart, what-if and flag history, runs, expected deliveries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role
from stockpile.db import session, utcnow
from stockpile.errors import DomainError
from stockpile.forecast import flag_history, forms, queries, runs, services, words
from stockpile.forecast.chart import HISTORY_SHOWN_DAYS, chart_rows, chart_svg_data_uri
from stockpile.forecast.demand import daily_demand
from stockpile.forecast.flags import RULE, change_label, event_label, explain, level_label
from stockpile.forecast.labels import cause_label, delivery_status_label, run_status_label, run_trigger_label
from stockpile.forecast.models import DeliveryStatus, FlagLevel, RunStatus, RunTrigger
from stockpile.forecast.outlook import ItemOutlook, item_outlook, outlooks
from stockpile.forecast.projection import PATHS
from stockpile.reference.models import Item
from stockpile.web.forms import INVALID_FORM_STATUS, attempt, render_form, show_errors, shown_on
from stockpile.web.navigation import NavEntry, Panel, PanelEntry, WebPart

bp = Blueprint("forecast", __name__, url_prefix="/forecast", template_folder="templates")
PLANNERS = (Role.CONTINUITY, Role.ADMIN)
DELIVERY_KEEPERS = (Role.LOGISTICS, Role.ADMIN)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"level_label": level_label, "change_label": change_label, "explain": explain, "words": words,
            "event_label": event_label, "rule": RULE, "paths": PATHS, "run_status_label": run_status_label,
            "run_trigger_label": run_trigger_label, "cause_label": cause_label}


@bp.route("/")
@roles_required(*PLANNERS)
def dashboard() -> str:
    """Every item's outlook as of now, most urgent first, with the words for its figures."""
    return render_template("forecast/dashboard.html", outlooks=outlooks(), run=queries.latest_run(),
                           active=runs.active_run())


@bp.route("/items/<id:item_id>")
@roles_required(*PLANNERS)
def item_page(item_id: int) -> tuple[str, int]:
    """One item: its outlook, chart and table, what-if, acknowledgement and flag history."""
    what_if = forms.WhatIfForm(request.args)
    factor, status = 1.0, 200
    if "factor" in request.args:
        try:
            factor = services.check_factor(float(what_if.factor.data) if what_if.validate() else None)
        except DomainError as error:
            show_errors(what_if, error)
            status = INVALID_FORM_STATUS
    outlook = item_outlook(item_id)
    shown = item_outlook(item_id, factor) if factor != 1.0 else outlook
    return _item(outlook, shown, what_if, forms.AcknowledgeForm()), status


def _item(outlook: ItemOutlook, shown: ItemOutlook, what_if: forms.WhatIfForm, ack: forms.AcknowledgeForm) -> str:
    until = shown.today - dt.timedelta(days=1)
    history = daily_demand(outlook.item.id, until - dt.timedelta(days=HISTORY_SHOWN_DAYS - 1), until)
    rows = chart_rows(shown, history)
    series = queries.get_series(outlook.forecast.series_id) if outlook.forecast else None
    return render_template("forecast/item.html", outlook=outlook, shown=shown, rows=rows, series=series,
                           chart=chart_svg_data_uri(shown, rows), what_if=what_if, ack=ack,
                           history=queries.flag_history(outlook.item.id))


@bp.route("/items/<id:item_id>/acknowledge", methods=["POST"])
@roles_required(*PLANNERS)
def acknowledge(item_id: int) -> Response | tuple[str, int]:
    """Acknowledge an item's flag with a note."""
    outlook = item_outlook(item_id)
    form = forms.AcknowledgeForm()
    if form.validate_on_submit():
        with shown_on(form) as outcome:
            flag_history.acknowledge(outlook, form.note.data or "", signed_in_user().id)
        if outcome.succeeded:
            flash(_("Flag acknowledged."), "success")
            return redirect(url_for("forecast.item_page", item_id=item_id))
    return render_form("forecast/acknowledge.html", form, outlook=outlook)


@bp.route("/items/<id:item_id>/acknowledgement/withdraw", methods=["POST"])
@roles_required(*PLANNERS)
def withdraw_acknowledgement(item_id: int) -> Response:
    """Withdraw an item's acknowledgement."""
    with attempt() as outcome:
        flag_history.withdraw(item_outlook(item_id), signed_in_user().id)
    if outcome.error is not None:
        flash(outcome.error.message, "error")
    else:
        flash(_("Acknowledgement withdrawn."), "success")
    return redirect(url_for("forecast.item_page", item_id=item_id))


@bp.route("/runs")
@roles_required(*PLANNERS)
def list_runs() -> str:
    """Run history, newest first, with the progress of the active run (the page refreshes itself while one is)."""
    runs_shown = session().scalars(queries.runs_query().limit(50)).all()
    return render_template("forecast/runs.html", runs=runs_shown, active=runs.active_run(), now=utcnow())


@bp.route("/runs/<id:run_id>")
@roles_required(*PLANNERS)
def run_page(run_id: int) -> str:
    """One run: progress, log, and each series' method, backtest MASE and error."""
    run = queries.get_run(run_id)
    return render_template("forecast/run.html", run=run, series=queries.series_of(run.id),
                           log=queries.log_of(run.id), now=utcnow())


@bp.route("/runs/start", methods=["POST"])
@roles_required(*PLANNERS)
def start_run() -> Response:
    """Queue a run for the scheduler; refused with a message while one is queued or running."""
    with attempt() as outcome:
        run = runs.queue_run(RunTrigger.MANUAL, signed_in_user().id)
    if outcome.error is not None:
        flash(outcome.error.message, "error")
        return redirect(url_for("forecast.list_runs"))
    flash(_("Forecast run %(id)d queued; the scheduler starts it within seconds.", id=run.id), "success")
    return redirect(url_for("forecast.run_page", run_id=run.id))


@bp.route("/runs/<id:run_id>/cancel", methods=["POST"])
@roles_required(*PLANNERS)
def cancel_run(run_id: int) -> Response:
    """Cancel a queued run, or ask a running one to stop."""
    with attempt() as outcome:
        run = runs.request_cancel(run_id, signed_in_user().id)
    if outcome.error is not None:
        flash(outcome.error.message, "error")
    else:
        flash(_("Run %(id)d cancelled.", id=run.id) if run.status is RunStatus.CANCELLED
              else _("Run %(id)d is asked to stop; it stops after the series it is fitting.", id=run.id), "success")
    return redirect(url_for("forecast.run_page", run_id=run_id))


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
    form.item_id.choices = [SelectChoice(str(i.id), f"{i.code} {i.name}") for i in items]
    if form.validate_on_submit():
        with shown_on(form) as outcome:
            services.record_delivery(item_id=form.item_id.data, quantity=form.quantity.data,
                                     expected_date=form.expected_date.data,
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
    flash(_("Delivery marked %(status)s.", status=delivery_status_label(DeliveryStatus(status))), "success")
    return redirect(url_for("forecast.list_deliveries"))


def scarcity_panel(_user: Any) -> Panel:
    """The dashboard panel of the continuity section: the flags as of now, most urgent first."""
    flagged = [o for o in outlooks() if o.level is not FlagLevel.NONE]
    rows: list[tuple[Any, Any]] = [
        (o.item.code, f"{level_label(o.level)} · {o.projection.stockout_central.isoformat()}"
         if o.projection and o.projection.stockout_central else level_label(o.level))
        for o in flagged[:8]
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
