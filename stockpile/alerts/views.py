"""Pages: the signed-in user's notifications (open one, mark read, mark all read) and alert preferences."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from stockpile.alerts import mail, services, texts
from stockpile.alerts.models import AlertKind, EmailMode
from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role
from stockpile.db import session
from stockpile.web.forms import INVALID_FORM_STATUS, attempt
from stockpile.web.navigation import WebPart

bp = Blueprint("alerts", __name__, url_prefix="/notifications", template_folder="templates")
PAGE_SIZE = 50


@bp.route("")
@roles_required(*Role)
def list_notifications() -> str:
    """The user's notifications, newest first, unread ones marked; a page of 50."""
    user = signed_in_user()
    unread_only = request.args.get("unread") == "1"
    page = max(1, request.args.get("page", 1, type=int) or 1)
    stmt = services.notifications_of(user, unread_only)
    total = session().scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    shown = session().scalars(stmt.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("alerts/list.html", notifications=[texts.as_fields(n) for n in shown],
                           unread_only=unread_only, page=page, pages=max(1, -(-total // PAGE_SIZE)),
                           unread=services.unread_count(user))


@bp.route("/<id:notification_id>")
@roles_required(*Role)
def open_notification(notification_id: int) -> Response:
    """Follow a notification to its page, marking it read (to the list when it has no page)."""
    notification = services.mark_read(signed_in_user(), notification_id)
    return redirect(notification.link or url_for("alerts.list_notifications"))


@bp.route("/<id:notification_id>/read", methods=["POST"])
@roles_required(*Role)
def mark_read(notification_id: int) -> Response:
    """Mark one notification read and come back to the list."""
    services.mark_read(signed_in_user(), notification_id)
    return redirect(url_for("alerts.list_notifications"))


@bp.route("/read-all", methods=["POST"])
@roles_required(*Role)
def mark_all_read() -> Response:
    """Mark every unread notification read."""
    marked = services.mark_all_read(signed_in_user())
    flash(ngettext("%(num)d notification marked read.", "%(num)d notifications marked read.", marked), "success")
    return redirect(url_for("alerts.list_notifications"))


@bp.route("/preferences", methods=["GET", "POST"])
@roles_required(*Role)
def preferences() -> Response | tuple[str, int]:
    """Which alerts the user gets, and how they are e-mailed: at once, in a daily digest, or not."""
    user = signed_in_user()
    errors: list[str] = []
    if request.method == "POST":
        choices = [{"kind": kind, "enabled": request.form.get(f"{kind.value}-enabled") == "on",
                    "email": _email_mode(request.form.get(f"{kind.value}-email", ""))} for kind in AlertKind]
        with attempt() as outcome:
            services.set_preferences(user, choices)
        if outcome.succeeded:
            flash(_("Alert preferences saved."), "success")
            return redirect(url_for("alerts.preferences"))
        assert outcome.error is not None
        errors = [outcome.error.message]
    rows = services.preference_rows(user)
    return render_template("alerts/preferences.html", rows=rows, modes=list(EmailMode), errors=errors,
                           mail_configured=mail.configured()), INVALID_FORM_STATUS if errors else 200


def _email_mode(value: str) -> Any:
    try:
        return EmailMode(value)
    except ValueError:
        return value  # the service refuses it with a message


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"alert_kind_label": texts.kind_label, "email_label": texts.email_label}


PAGES = WebPart(blueprints=(bp,), nav=(), panels=())

