"""Pages of insight: the risk grid (process x item), with rotation advice and the equity view beside it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from stockpile import formats
from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role
from stockpile.errors import DomainError, FieldErrors
from stockpile.insight import equity, forms, risk, rotation
from stockpile.web import sheets
from stockpile.web.forms import INVALID_FORM_STATUS, attempt, show_errors
from stockpile.web.navigation import NavEntry, Panel, PanelEntry, WebPart

bp = Blueprint("insight", __name__, url_prefix="/insight", template_folder="templates")
PLANNERS = (Role.CONTINUITY, Role.ADMIN)
STOCK_READERS = (Role.LOGISTICS, Role.CONTINUITY, Role.ADMIN)
MOVERS = (Role.LOGISTICS, Role.ADMIN)
# Colours of the grid, with the same thresholds as the flags: at least 30 % is high, at least 10 % is raised.
HIGH, RAISED = 0.3, 0.1


def risk_class(probability: float) -> str:
    """The colour class of a cell (the number is always written beside the colour)."""
    if probability >= HIGH:
        return "risk-high"
    if probability >= RAISED:
        return "risk-raised"
    return "risk-low" if probability > 0 else "risk-none"


@bp.route("/risk")
@roles_required(*PLANNERS)
def risk_page() -> tuple[str, int]:
    """The grid: per essential process (rows, tier order) and item, P(stock-out before the chosen date)."""
    form = forms.RiskDateForm(request.args)
    date, status = risk.default_date(), 200
    if "date" in request.args:
        try:
            date = risk.check_date(form.date.data if form.validate() else None, horizon_days=_horizon())
        except DomainError as error:
            show_errors(form, error)
            status = INVALID_FORM_STATUS
    else:
        form.date.data = date
    return render_template("insight/risk.html", form=form, grid=risk.risk_grid(date), risk_class=risk_class,
                           high=HIGH, raised=RAISED), status


def _horizon() -> int:
    return int(current_app.config["FORECAST_HORIZON_DAYS"])


@bp.route("/rotation")
@roles_required(*STOCK_READERS)
def rotation_page() -> str:
    """Lots that will expire unused where they are, where they would be used in time, and the units saved."""
    return render_template("insight/rotation.html", advice=rotation.rotation_advice(), burn_days=rotation.BURN_DAYS,
                           can_move=signed_in_user().role in MOVERS)


@bp.route("/rotation/<id:lot_id>/<id:warehouse_id>", methods=["POST"])
@roles_required(*MOVERS)
def take_rotation(lot_id: int, warehouse_id: int) -> Response:
    """Turn one piece of advice into a transfer; the advice then disappears."""
    with attempt() as outcome:
        taken = rotation.take_advice(lot_id, warehouse_id, signed_in_user().id)
    if outcome.error is not None:
        flash(outcome.error.message, "error")
    else:
        flash(_("Transfer booked: %(quantity)s units; %(saved)s units saved from waste.",
                quantity=formats.number(taken.quantity), saved=formats.number(taken.units_saved)), "success")
    return redirect(url_for("insight.rotation_page"))


EQUITY_HEADER = ["process", "tier", "region", "requests", "asked", "approved", "delivered", "fill_rate", "unmet",
                 "cut_rationing", "days_of_cover"]


def _equity_args() -> tuple[int, str, bool]:
    weeks = equity.check_weeks(request.args.get("weeks", 8, type=int))
    return weeks, request.args.get("sort", "fill_rate"), request.args.get("order", "asc") == "desc"


@bp.route("/equity")
@roles_required(*PLANNERS)
def equity_page() -> tuple[str, int]:
    """Per process and region over the chosen weeks: fill rate, unmet demand, cuts, days of cover and the trend."""
    try:
        weeks, sort, descending = _equity_args()
        status, error = 200, None
    except FieldErrors as refused:
        weeks, sort, descending, status, error = 8, "fill_rate", False, INVALID_FORM_STATUS, refused.errors["weeks"][0]
    first, last = equity.window(weeks)
    return render_template("insight/equity.html", rows=equity.equity(weeks, sort=sort, descending=descending),
                           weeks=weeks, sort=sort, descending=descending, first=first, last=last, error=error,
                           formats=sheets.FORMATS), status


@bp.route(f"/equity.<any({','.join(sheets.FORMATS)}):fmt>")
@roles_required(*PLANNERS)
def equity_file(fmt: str) -> Response:
    """The equity view as CSV or XLSX, one row per process and region, with the weekly fill rates after it."""
    weeks, sort, descending = _equity_args()
    first, _last = equity.window(weeks)
    header = EQUITY_HEADER + [f"fill_rate_week_{(first + dt.timedelta(weeks=n)).isoformat()}" for n in range(weeks)]
    return sheets.download(f"equity-{weeks}-weeks", fmt, header, lambda: (
        [r.process_code, r.tier, r.region_code, r.requests, r.asked, r.approved, r.delivered, _rounded(r.fill_rate),
         r.unmet, r.cut_rationing, _rounded(r.days_of_cover, 1)] + [_rounded(w.fill_rate) for w in r.weeks]
        for r in equity.equity(weeks, sort=sort, descending=descending)))


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


@bp.route("/equity/requests")
@roles_required(*PLANNERS)
def equity_requests() -> tuple[str, int]:
    """The requests behind one row of the equity view (or one week of it)."""
    weeks, _sort, _descending = _equity_args()
    process_id, region_id = request.args.get("process", type=int), request.args.get("region", type=int)
    shown = equity.requests_in_window(weeks, process_id, region_id)
    return render_template("insight/equity_requests.html", requests=shown, weeks=weeks), 200


def risk_panel(_user: Any) -> Panel:
    """The continuity section's panel: the processes most at risk two weeks ahead."""
    grid = risk.risk_grid(risk.default_date())
    worst = sorted((c for c in grid.cells if c.probability >= RAISED), key=lambda c: (-c.probability, c.tier))[:6]
    return Panel(_l("Processes at risk within two weeks"),
                 rows=[(f"{c.process_code} · {c.item_code}", formats.share(c.probability)) for c in worst],
                 empty=_l("No essential process has a one-in-ten chance of a stock-out or more within two weeks."),
                 link=(url_for("insight.risk_page"), _l("Risk by process")))


PAGES = WebPart(
    blueprints=(bp,),
    nav=(NavEntry("insight.risk_page", _l("Risk by process"), PLANNERS),
         NavEntry("insight.rotation_page", _l("Rotation"), STOCK_READERS),
         NavEntry("insight.equity_page", _l("Equity"), PLANNERS)),
    panels=(PanelEntry(PLANNERS, risk_panel),),
)
