"""Rationing proposals for an item over all submitted requests (accepting one is services.accept_rationing)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from stockpile.db import session
from stockpile.errors import FieldErrors
from stockpile.reference.models import EssentialProcess, Item
from stockpile.requests import reservations
from stockpile.requests.models import Allocation, RequestLine, RequestState, SupplyRequest
from stockpile.requests.rationing import Claim, ration


@dataclass(frozen=True)
class ProposalRow:
    """One open line for the item: what was asked and what the rule proposes."""

    request: SupplyRequest
    line: RequestLine
    proposed: int


@dataclass(frozen=True)
class Proposal:
    """The rationing of one item over the submitted requests."""

    item: Item
    usable_free: int
    allocations: dict[int, int]
    rows: list[ProposalRow]

    @property
    def asked(self) -> int:
        return sum(row.line.quantity_requested for row in self.rows)

    @property
    def scarce(self) -> bool:
        return reservations.scarce(self.asked, self.usable_free)  # on the figures this proposal was made from


def open_lines(item_id: int) -> list[RequestLine]:
    """Submitted, undecided lines for the item, in review order (tier, needed-by, oldest)."""
    stmt = (
        select(RequestLine)
        .join(SupplyRequest, SupplyRequest.id == RequestLine.request_id)
        .join(EssentialProcess, EssentialProcess.id == SupplyRequest.essential_process_id)
        .where(RequestLine.item_id == item_id, SupplyRequest.state == RequestState.SUBMITTED)
        .order_by(EssentialProcess.priority_tier, SupplyRequest.needed_by, SupplyRequest.id)
    )
    return list(session().scalars(stmt))


def propose(item_id: int) -> Proposal:
    """What the rationing rule gives each submitted line for the item, from today's free stock."""
    item = session().get(Item, item_id)
    if item is None:
        raise FieldErrors.one("item_id", _("Unknown item."))
    lines = open_lines(item_id)
    remaining = {a.essential_process_id: a.remaining
                 for a in session().scalars(select(Allocation).where(Allocation.item_id == item_id))}
    claims = [Claim(line.id, line.request.essential_process_id, line.request.essential_process.priority_tier,
                    line.quantity_requested, (line.request.needed_by, line.request.id)) for line in lines]
    free = reservations.usable_free(item_id)
    granted = ration(free, remaining, claims)
    rows = [ProposalRow(line.request, line, granted[line.id]) for line in lines]
    return Proposal(item, free, remaining, rows)
