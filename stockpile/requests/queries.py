"""Read-side questions about requests: what a user may see, the review queue, fill rates and ages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from stockpile.auth.models import Role, User
from stockpile.db import as_aware_utc, session, utcnow
from stockpile.errors import NotFound
from stockpile.reference.models import EssentialProcess, Item, Region
from stockpile.requests import reservations
from stockpile.requests.models import RequestLine, RequestState, SupplyRequest
from stockpile.requests.policy import OPEN_STATES

# A list shows each request's lines (with their items, joined); reading them for the whole page in one more
# statement, not one per request. The detail reads the history too.
WITH_LINES: tuple[LoaderOption, ...] = (selectinload(SupplyRequest.lines),)
WITH_LINES_AND_HISTORY: tuple[LoaderOption, ...] = (*WITH_LINES, selectinload(SupplyRequest.history))


def visible_requests(user: User) -> Select[SupplyRequest]:
    """Requests the user may see, with their lines: a region only its own, everyone else all."""
    stmt = select(SupplyRequest).options(*WITH_LINES).order_by(SupplyRequest.id.desc())
    if user.role is Role.REGION:
        stmt = stmt.where(SupplyRequest.region_id == user.region_id)
    return stmt


def get_request_for(user: User, request_id: int) -> SupplyRequest:
    """A request the user may see, or NotFound — also when it exists but belongs to another region."""
    request = session().get(SupplyRequest, request_id, options=WITH_LINES_AND_HISTORY)
    if request is None or (user.role is Role.REGION and request.region_id != user.region_id):
        raise NotFound(_("No such request."))
    return request


def reaskable_requests(region_id: int, limit: int = 200) -> list[SupplyRequest]:
    """A region's newest requests that were rejected or cut: what a new request may ask again for."""
    decided = [RequestState.REJECTED, RequestState.APPROVED, RequestState.PARTIALLY_APPROVED, RequestState.PICKING,
               RequestState.SHIPPED, RequestState.DELIVERED]
    stmt = (select(SupplyRequest).where(SupplyRequest.region_id == region_id, SupplyRequest.state.in_(decided))
            .order_by(SupplyRequest.id.desc()).limit(limit))
    return [request for request in session().scalars(stmt) if request.can_be_asked_again]


def review_queue() -> list[SupplyRequest]:
    """Submitted requests, most urgent first: priority tier, then needed-by date, then oldest."""
    stmt = (
        select(SupplyRequest).options(*WITH_LINES)
        .join(EssentialProcess, EssentialProcess.id == SupplyRequest.essential_process_id)
        .where(SupplyRequest.state == RequestState.SUBMITTED)
        .order_by(EssentialProcess.priority_tier, SupplyRequest.needed_by, SupplyRequest.id)
    )
    return list(session().scalars(stmt))


def logistics_queue() -> list[SupplyRequest]:
    """Approved requests waiting to be picked, and picked ones waiting to ship."""
    states = [RequestState.APPROVED, RequestState.PARTIALLY_APPROVED, RequestState.PICKING]
    stmt = (select(SupplyRequest).options(*WITH_LINES).where(SupplyRequest.state.in_(states))
            .order_by(SupplyRequest.needed_by))
    return list(session().scalars(stmt))


def scarce_items() -> list[tuple[Item, int, int]]:
    """Items whose submitted demand exceeds usable free stock: (item, asked, free)."""
    stmt = (
        select(RequestLine.item_id, func.sum(RequestLine.quantity_requested))
        .join(SupplyRequest, SupplyRequest.id == RequestLine.request_id)
        .where(SupplyRequest.state == RequestState.SUBMITTED)
        .group_by(RequestLine.item_id)
    )
    result = []
    for item_id, asked in session().execute(stmt):
        if reservations.is_scarce(item_id, int(asked)):
            result.append((session().get(Item, item_id), int(asked), reservations.usable_free(item_id)))
    return [(item, asked, free) for item, asked, free in result if item is not None]


@dataclass(frozen=True)
class StateCount:
    """Open requests in one state, and how old the oldest is."""

    state: RequestState
    count: int
    oldest_days: int


def open_by_state(region_id: int | None = None) -> list[StateCount]:
    """Open requests per state with the age of the oldest, nationally or for one region."""
    stmt = select(SupplyRequest.state, func.count(), func.min(SupplyRequest.submitted_at)).where(
        SupplyRequest.state.in_(OPEN_STATES)
    ).group_by(SupplyRequest.state)
    if region_id is not None:
        stmt = stmt.where(SupplyRequest.region_id == region_id)
    now = utcnow()
    rows = []
    for state, count, oldest in session().execute(stmt):
        age = (now - as_aware_utc(oldest)).days if oldest is not None else 0
        rows.append(StateCount(state, int(count), age))
    return sorted(rows, key=lambda r: list(RequestState).index(r.state))


@dataclass(frozen=True)
class FillRate:
    """Approved against requested, and delivered against approved, for one group."""

    key: str
    name: str
    requested: int
    approved: int
    issued: int
    received: int

    @property
    def approval_rate(self) -> float | None:
        return self.approved / self.requested if self.requested else None

    @property
    def delivery_rate(self) -> float | None:
        return self.received / self.approved if self.approved else None


GROUPS: dict[str, tuple[Any, Any]] = {
    "item": (Item, RequestLine.item_id),
    "process": (EssentialProcess, SupplyRequest.essential_process_id),
    "region": (Region, SupplyRequest.region_id),
}


def fill_rates(by: str, region_id: int | None = None) -> list[FillRate]:
    """Fill rates of decided requests, grouped by item, process or region."""
    model, key = GROUPS[by]
    decided = [s for s in RequestState if s not in (RequestState.DRAFT, RequestState.SUBMITTED,
                                                     RequestState.CANCELLED)]
    stmt = (
        select(model.code, model.name, func.sum(RequestLine.quantity_requested),
               func.coalesce(func.sum(RequestLine.quantity_approved), 0),
               func.coalesce(func.sum(RequestLine.quantity_issued), 0),
               func.coalesce(func.sum(RequestLine.quantity_received), 0))
        .select_from(RequestLine)
        .join(SupplyRequest, SupplyRequest.id == RequestLine.request_id)
        .join(model, model.id == key)
        .where(SupplyRequest.state.in_(decided))
        .group_by(model.code, model.name)
        .order_by(model.code)
    )
    if region_id is not None:
        stmt = stmt.where(SupplyRequest.region_id == region_id)
    return [FillRate(code, name, int(req), int(app), int(iss), int(rec))
            for code, name, req, app, iss, rec in session().execute(stmt)]
