"""The policy pages: the phase and settings in force, the change log, and the decisions with the rules they followed.

"Which rule was in force when region X got 40 of 60 FFP2 on 3 December, and who set it?" is the decisions page
filtered by region, item and day; both the log and the decisions download as CSV or XLSX.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.wrappers import Response as WerkzeugResponse

from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role
from stockpile.db import session
from stockpile.policy_log import queries, services
from stockpile.policy_log.forms import PhaseForm, ShelfLifeForm
from stockpile.policy_log.models import PHASE_LABELS, TOPIC_LABELS, PolicyVersion
from stockpile.web import sheets
from stockpile.web.forms import shown_on
from stockpile.web.navigation import NavEntry, WebPart

bp = Blueprint("policy", __name__, url_prefix="/policy")
READERS = (Role.CONTINUITY, Role.ADMIN)
SETTERS = services.POLICY_SETTERS
PAGE = 200
LOG_COLUMNS = ["version", "at_utc", "set_by", "topic", "essential_process", "item", "old_value", "new_value",
               "phase", "reason"]
DECISION_COLUMNS = ["request", "region", "essential_process", "item", "requested", "approved", "decided_at_utc",
                    "reviewer", "policy_version", "rule_version", "rule", "rule_process", "rule_item", "rule_value",
                    "rule_set_by", "rule_set_at_utc", "rule_phase", "rule_reason"]


@bp.route("")
@roles_required(*READERS)
def policy_page() -> tuple[str, int]:
    """The crisis phase and minimum shelf life in force (the continuity section sets them) and every change."""
    return _render_policy(PhaseForm(prefix="phase"), ShelfLifeForm(prefix="shelf"))


@bp.route("/phase", methods=["POST"])
@roles_required(*SETTERS)
def set_phase() -> WerkzeugResponse | tuple[str, int]:
    """Declare a new crisis phase, with a reason."""
    form = PhaseForm(prefix="phase")
    if form.validate_on_submit():
        with shown_on(form) as outcome:
            services.set_phase(signed_in_user(), form.phase.data or "", form.reason.data or "")
        if outcome.succeeded:
            return _changed()
    return _render_policy(form, ShelfLifeForm(prefix="shelf"), 422)


@bp.route("/shelf-life", methods=["POST"])
@roles_required(*SETTERS)
def set_shelf_life() -> WerkzeugResponse | tuple[str, int]:
    """Set the minimum shelf life a lot must have left, with a reason."""
    form = ShelfLifeForm(prefix="shelf")
    if form.validate_on_submit():
        with shown_on(form) as outcome:
            services.set_min_shelf_life(signed_in_user(), form.days.data or 0, form.reason.data or "")
        if outcome.succeeded:
            return _changed()
    return _render_policy(PhaseForm(prefix="phase"), form, 422)


def _changed() -> WerkzeugResponse:
    flash(_("Policy changed: version %(version)s.", version=services.current_version_id()), "success")
    return redirect(url_for("policy.policy_page"))


def _render_policy(phase_form: PhaseForm, shelf_form: ShelfLifeForm, status: int = 200) -> tuple[str, int]:
    if shelf_form.days.data is None:
        shelf_form.days.data = services.min_shelf_life_days()
    log = session().scalars(queries.changes().limit(PAGE)).all()
    return render_template("policy_log/policy.html", phase=services.current_phase(), phase_labels=PHASE_LABELS,
                           topic_labels=TOPIC_LABELS, version=services.current_version_id(),
                           shelf_life=services.min_shelf_life_days(), log=log, phase_form=phase_form,
                           shelf_form=shelf_form, page=PAGE), status


@bp.route(f"/log.<any({','.join(sheets.FORMATS)}):fmt>")
@roles_required(*READERS)
def log_file(fmt: str) -> Response:
    """Every policy change as a CSV or XLSX file (times in UTC), oldest first."""
    return sheets.download("policy-log", fmt, LOG_COLUMNS, _log_rows,
                           count=lambda: session().scalar(select(func.count(PolicyVersion.id))) or 0)


def _log_rows() -> Iterator[list[Any]]:
    for v in session().scalars(select(PolicyVersion).order_by(PolicyVersion.id), execution_options={"yield_per": 500}):
        yield [v.id, v.at, v.user.email if v.user else "", v.topic.value, _code(v.essential_process),
               _code(v.item), v.old_value, v.new_value, v.phase.value, v.reason]


@bp.route("/decisions")
@roles_required(*READERS)
def decisions_page() -> str:
    """Decided request lines, filtered by region, item and day, each with the rules in force and who set them."""
    filters, args = _decision_filter()
    regions, items = queries.choices()
    rows = list(queries.decisions(filters, limit=PAGE))
    return render_template("policy_log/decisions.html", rows=rows, regions=regions, items=items, args=args,
                           topic_labels=TOPIC_LABELS, phase_labels=PHASE_LABELS, page=PAGE)


@bp.route(f"/decisions.<any({','.join(sheets.FORMATS)}):fmt>")
@roles_required(*READERS)
def decisions_file(fmt: str) -> Response:
    """The filtered decisions as a CSV or XLSX file: one row per decided line and rule in force."""
    filters, _args = _decision_filter()
    count_stmt = queries.decided_lines(filters).order_by(None).subquery()
    return sheets.download("policy-decisions", fmt, DECISION_COLUMNS, lambda: _decision_rows(filters),
                           count=lambda: session().scalar(select(func.count()).select_from(count_stmt)) or 0)


def _decision_rows(filters: queries.DecisionFilter) -> Iterator[list[Any]]:
    for decision in queries.decisions(filters):
        r, line = decision.request, decision.line
        head = [r.number, r.region.code, r.essential_process.code, line.item.code, line.quantity_requested,
                line.quantity_approved, r.decided_at, _email(r.reviewed_by_id), r.policy_version_id]
        if not decision.rules:
            yield [*head, *[None] * (len(DECISION_COLUMNS) - len(head))]
        for v in decision.rules:
            yield [*head, v.id, v.topic.value, _code(v.essential_process), _code(v.item), v.new_value,
                   v.user.email if v.user else "", v.at, v.phase.value, v.reason]


def _decision_filter() -> tuple[queries.DecisionFilter, dict[str, str]]:
    args = {key: request.args.get(key, "").strip() for key in ("region", "item", "day")}
    return queries.DecisionFilter(region_id=_int(args["region"]), item_id=_int(args["item"]),
                                  day=_day(args["day"])), args


def _int(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() else None


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _code(obj: Any) -> str:
    return obj.code if obj is not None else ""


def _email(user_id: int | None) -> str:
    return (queries.user_email(user_id) if user_id else None) or ""


PAGES = WebPart(blueprints=(bp,), nav=(NavEntry("policy.policy_page", _l("Policy"), READERS),))
