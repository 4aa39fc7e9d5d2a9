"""The start page (a dashboard per role, its panels declared by the domains), navigation helpers, a health check."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, jsonify, render_template, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select, text
from werkzeug.wrappers import Response

from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role, User
from stockpile.db import session
from stockpile.reference.models import EssentialProcess, Item, Region, Warehouse
from stockpile.web.navigation import NavEntry, Panel, PanelEntry, WebPart, nav_entries, panels_for

bp = Blueprint("home", __name__)

ROLE_LABELS = {
    Role.REGION: _l("Region"),
    Role.LOGISTICS: _l("Logistics"),
    Role.CONTINUITY: _l("Continuity and scarcity"),
    Role.ADMIN: _l("Administrator"),
}


def _reference_panel() -> Panel:
    def count(model: Any, *where: Any) -> int:
        return session().scalar(select(func.count()).select_from(model).where(*where)) or 0

    return Panel(
        _l("Reference data"),
        rows=[
            (_l("Active users"), count(User, User.active.is_(True))),
            (_l("Active items"), count(Item, Item.active.is_(True))),
            (_l("Active warehouses"), count(Warehouse, Warehouse.active.is_(True))),
            (_l("Essential processes"), count(EssentialProcess, EssentialProcess.active.is_(True))),
            (_l("Safety regions"), count(Region)),
        ],
        link=(url_for("reference.list_kind", slug="items"), _l("Manage the catalogue")),
    )


@bp.route("/")
@roles_required(*Role)
def dashboard() -> str:
    """The signed-in user's dashboard; its panels depend on the role."""
    user = signed_in_user()
    return render_template("home/dashboard.html", user=user, panels=panels_for(user))


@bp.route("/health", endpoint="health")
def health() -> Response:
    """Answers 200 when the database answers."""
    session().execute(text("SELECT 1"))
    return jsonify(status="ok")


def _template_helpers() -> dict[str, Any]:
    def nav_links() -> list[tuple[str, Any, Mapping[str, Any]]]:
        return [(entry.endpoint, entry.label, entry.args) for entry in nav_entries(current_user.role)]

    return {
        "nav_links": nav_links,
        "role_label": lambda role: ROLE_LABELS.get(role, role),
        "get_locale": get_locale,
    }


def init_app(app: Flask) -> None:
    """Make the navigation and role names available to every template."""
    app.context_processor(_template_helpers)


PAGES = WebPart(
    blueprints=(bp,),
    nav=(NavEntry("home.dashboard", _l("Dashboard"), tuple(Role)),),
    # The administrator's overview of the reference data of every domain (users included) comes first.
    panels=(PanelEntry((Role.ADMIN,), lambda _user: _reference_panel()),),
)
