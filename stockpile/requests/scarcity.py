"""Rationing proposals for an item over all submitted requests, and accepting them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from stockpile.auth.models import User
from stockpile.db import session
from stockpile.errors import FieldErrors
from stockpile.reference.models import EssentialProcess, Item
from stockpile.requests import allocations
from stockpile.requests.fulfilment import approve
from stockpile.requests.models import Allocation, RequestLine, RequestState, SupplyRequest
from stockpile.requests.rationing import Claim, ration
from stockpile.requests.services import reject


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
        return self.asked > self.usable_free


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
    free = allocations.usable_free(item_id)
    granted = ration(free, remaining, claims)
    rows = [ProposalRow(line.request, line, granted[line.id]) for line in lines]
    return Proposal(item, free, remaining, rows)


def accept(item_id: int, quantities: dict[int, int | None], reviewer: User) -> list[SupplyRequest]:
    """Decide every request in the proposal: the item's lines as given, other lines in full.

    A request left with nothing at all is rejected with the rationing as its reason.
    """
    item = session().get(Item, item_id)
    lines = {line.id: line for line in open_lines(item_id)}
    if set(quantities) != set(lines):
        raise FieldErrors.one("lines", _("The proposal changed while you looked at it; reload and decide again."))
    blank = [line_id for line_id, quantity in quantities.items() if quantity is None or quantity < 0]
    if blank:
        raise FieldErrors({f"line-{line_id}": [_("Enter a quantity (0 or more).")] for line_id in blank},
                          _("Enter a quantity for every line, 0 to give nothing."))
    note = _("Rationed: %(item)s is scarce.", item=item.code if item else "")
    decided = []
    for request in sorted({line.request for line in lines.values()}, key=lambda r: r.id):
        decisions = {
            line.id: ((quantities[line.id], note) if line.id in quantities else (line.quantity_requested, ""))  # type: ignore[misc]
            for line in request.lines
        }
        if not any(quantity for quantity, _note in decisions.values()):
            reject(request, reviewer, note)
        else:
            approve(request, reviewer, decisions)
        decided.append(request)
    return decided
