"""The administrator's audit log: every recorded action, filtered, on a page and as a CSV or XLSX file."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from stockpile.audit import AuditEvent
from stockpile.auth.guard import roles_required
from stockpile.auth.models import Role, User
from stockpile.db import session
from stockpile.errors import FieldErrors
from stockpile.local_days import local_day_range
from stockpile.web import sheets
from stockpile.web.navigation import NavEntry, WebPart

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
PAGE = 200
AUDIT_COLUMNS = ["id", "at_utc", "actor", "action", "object_type", "object_id", "details"]


def _filtered() -> tuple[Select[AuditEvent, str], dict[str, str]]:
    args = {key: request.args.get(key, "").strip() for key in ("action", "actor", "since", "until", "object")}
    stmt = select(AuditEvent, User.email).outerjoin(User, User.id == AuditEvent.actor_id).order_by(
        AuditEvent.id.desc())
    if args["action"]:
        stmt = stmt.where(AuditEvent.action.startswith(args["action"]))
    if args["actor"]:
        stmt = stmt.where(User.email.contains(args["actor"].lower()))
    if args["object"]:
        stmt = stmt.where(AuditEvent.object_type == args["object"])
    since, until = local_day_range(_date("since", args["since"]), _date("until", args["until"]))
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.at < until)
    return stmt, args


def _date(field: str, value: str) -> dt.date | None:
    """A filter date as YYYY-MM-DD; anything else is a 422 naming the field."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise FieldErrors.one(field, _("Give the date as YYYY-MM-DD.")) from None


@bp.route("")
@roles_required(Role.ADMIN)
def audit_log() -> str:
    """The audit events, newest first, filtered by action, actor, object kind and date; `before` pages back.

    Keyset paging on the id: every page costs the same however far back it lies.
    """
    stmt, args = _filtered()
    before = request.args.get("before", type=int)
    if before is not None and before > 0:
        stmt = stmt.where(AuditEvent.id < before)
    rows = session().execute(stmt.limit(PAGE + 1)).all()
    older = rows[PAGE - 1][0].id if len(rows) > PAGE else None
    return render_template("audit/log.html", rows=rows[:PAGE], args=args, page=PAGE, older=older,
                           paged=before is not None)


@bp.route(f"/export.<any({','.join(sheets.FORMATS)}):fmt>")
@roles_required(Role.ADMIN)
def audit_file(fmt: str) -> Response:
    """The filtered audit log as a CSV or XLSX file (times in UTC), streamed from the cursor."""
    stmt, _args = _filtered()
    columns = (AuditEvent.id, AuditEvent.at, User.email, AuditEvent.action, AuditEvent.object_type,
               AuditEvent.object_id, AuditEvent.details)
    lines = stmt.with_only_columns(*columns)
    return sheets.download("audit", fmt, AUDIT_COLUMNS, lambda: _audit_rows(lines), count=lambda: session().scalar(
        select(func.count()).select_from(lines.order_by(None).subquery())) or 0)


def _audit_rows(lines: Select[*tuple[Any, ...]]) -> Iterator[list[Any]]:
    for row in session().execute(lines, execution_options={"yield_per": 2000}):
        yield [*row[:6], json.dumps(row[6], ensure_ascii=False, sort_keys=True)]


PAGES = WebPart(blueprints=(bp,), nav=(NavEntry("audit.audit_log", _l("Audit log"), (Role.ADMIN,)),))
