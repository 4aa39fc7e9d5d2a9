"""What the request pages add to the page shell: their blueprints, navigation entries and dashboard panels."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l

from stockpile import formats
from stockpile.auth.models import Role, User
from stockpile.requests import queries
from stockpile.requests.review_views import bp as review_bp
from stockpile.requests.views import bp as requests_bp
from stockpile.requests.workflow import STATE_LABELS
from stockpile.web.navigation import NavEntry, Panel, PanelEntry, WebPart


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


REVIEWERS = (Role.CONTINUITY, Role.ADMIN)
PAGES = WebPart(
    blueprints=(requests_bp, review_bp),
    nav=(
        NavEntry("requests.list_requests", _l("Requests"), tuple(Role)),
        NavEntry("review.queue", _l("Review"), REVIEWERS),
        NavEntry("review.allocation_page", _l("Allocations"), REVIEWERS),
        NavEntry("review.picking_queue", _l("Picking"), (Role.LOGISTICS, Role.ADMIN)),
        NavEntry("review.overview", _l("Overview"), tuple(Role)),
    ),
    panels=(
        PanelEntry((Role.REGION, Role.CONTINUITY, Role.LOGISTICS), _open_panel),
        PanelEntry((Role.CONTINUITY,), _review_panel),
        PanelEntry((Role.LOGISTICS,), _picking_panel),
    ),
)
