"""The start page (a dashboard per role), the navigation by role, and a health check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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

bp = Blueprint("home", __name__)

ROLE_LABELS = {
    Role.REGION: _l("Region"),
    Role.LOGISTICS: _l("Logistics"),
    Role.CONTINUITY: _l("Continuity and scarcity"),
    Role.ADMIN: _l("Administrator"),
}

# (endpoint, label, url arguments, roles that see the link); domains add theirs with add_nav_link.
NAV_LINKS: list[tuple[str, Any, dict[str, Any], tuple[Role, ...]]] = [
    ("home.dashboard", _l("Dashboard"), {}, tuple(Role)),
    ("auth.list_users", _l("Users"), {}, (Role.ADMIN,)),
    ("reference.list_kind", _l("Items"), {"slug": "items"}, (Role.ADMIN,)),
    ("reference.list_kind", _l("Warehouses"), {"slug": "warehouses"}, (Role.ADMIN,)),
    ("reference.list_kind", _l("Processes"), {"slug": "processes"}, (Role.ADMIN,)),
    ("reference.list_kind", _l("Regions"), {"slug": "regions"}, (Role.ADMIN,)),
]


def add_nav_link(endpoint: str, label: Any, roles: tuple[Role, ...], **kwargs: Any) -> None:
    """Let a domain put its pages in the navigation of the roles that use them."""
    NAV_LINKS.insert(-4, (endpoint, label, kwargs, roles))


@dataclass
class Panel:
    """A dashboard panel: real figures or an honest 'nothing yet'."""

    title: Any
    rows: list[tuple[Any, Any]] = field(default_factory=list)
    empty: Any = ""
    link: tuple[str, Any] | None = None


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


# (roles that see it, function building it); domains add theirs with add_panel.
PANELS: list[tuple[tuple[Role, ...], Callable[[], Panel]]] = []


def add_panel(roles: tuple[Role, ...], build: Callable[[], Panel]) -> None:
    """Let a domain put a panel of real figures on the dashboards of the roles that use it."""
    PANELS.append((roles, build))


def _panels(user: User) -> list[Panel]:
    panels = [build() for roles, build in PANELS if user.role in roles]
    if user.role is Role.ADMIN:
        panels.insert(0, _reference_panel())
    return panels


@bp.route("/")
@roles_required(*Role)
def dashboard() -> str:
    """The signed-in user's dashboard; its panels depend on the role."""
    user = signed_in_user()
    return render_template("home/dashboard.html", user=user, panels=_panels(user))


@bp.route("/health", endpoint="health")
def health() -> Response:
    """Answers 200 when the database answers."""
    session().execute(text("SELECT 1"))
    return jsonify(status="ok")


def _template_helpers() -> dict[str, Any]:
    def nav_links() -> list[tuple[str, Any, dict[str, Any]]]:
        role = current_user.role
        return [(endpoint, label, kwargs) for endpoint, label, kwargs, roles in NAV_LINKS if role in roles]

    return {
        "nav_links": nav_links,
        "role_label": lambda role: ROLE_LABELS.get(role, role),
        "get_locale": get_locale,
    }


def init_app(app: Flask) -> None:
    """Make the navigation and role names available to every template."""
    app.context_processor(_template_helpers)
