"""How the request pages join the app: blueprints, navigation, dashboard panels, template helpers."""

from __future__ import annotations

from typing import Any

from flask import Flask, url_for
from flask_babel import lazy_gettext as _l

from stockpile import formats
from stockpile.auth.models import Role, User
from stockpile.home import Panel, add_nav_link, add_panel
from stockpile.requests import fulfilment, queries
from stockpile.requests.review_views import bp as review_bp
from stockpile.requests.views import bp as requests_bp
from stockpile.requests.workflow import STATE_LABELS

blueprints = [requests_bp, review_bp]


def _open_panel(user: User) -> Panel:
    region_id = user.region_id if user.role is Role.REGION else None
    rows: list[tuple[Any, Any]] = [(STATE_LABELS[row.state], row.count) for row in queries.open_by_state(region_id)]
    return Panel(_l("Open requests"), rows=rows, empty=_l("No open requests."),
                 link=(url_for("requests.list_requests"), _l("All requests")))


def _review_panel(_user: User) -> Panel:
    queue = queries.review_queue()
    rows: list[tuple[Any, Any]] = [(r.number, f"{r.essential_process.code} · {formats.date(r.needed_by)}")
                                   for r in queue[:8]]
    return Panel(_l("Waiting for review"), rows=rows, empty=_l("Nothing waits for review."),
                 link=(url_for("review.queue"), _l("Review queue")))


def _picking_panel(_user: User) -> Panel:
    rows: list[tuple[Any, Any]] = [(r.number, STATE_LABELS[r.state]) for r in queries.logistics_queue()[:8]]
    return Panel(_l("To pick and ship"), rows=rows, empty=_l("Nothing to pick or ship."),
                 link=(url_for("review.picking_queue"), _l("Picking and shipping")))


def init_app(app: Flask) -> None:
    """Navigation links, dashboard panels, the state names for templates and the ledger hooks."""
    fulfilment.init_app()
    if not getattr(init_app, "_registered", False):
        add_nav_link("requests.list_requests", _l("Requests"), tuple(Role))
        add_nav_link("review.queue", _l("Review"), (Role.CONTINUITY, Role.ADMIN))
        add_nav_link("review.allocation_page", _l("Allocations"), (Role.CONTINUITY, Role.ADMIN))
        add_nav_link("review.picking_queue", _l("Picking"), (Role.LOGISTICS, Role.ADMIN))
        add_nav_link("review.overview", _l("Overview"), tuple(Role))
        add_panel((Role.REGION, Role.CONTINUITY, Role.LOGISTICS), _open_panel)
        add_panel((Role.CONTINUITY,), _review_panel)
        add_panel((Role.LOGISTICS,), _picking_panel)
        init_app._registered = True  # type: ignore[attr-defined]
    app.context_processor(lambda: {"state_label": lambda state: STATE_LABELS.get(state, state)})
