"""The stock side of requests, and the only requests module that uses the inventory domain.

"Free for reservation" is the ledger's rule (`inventory.queries.free_for_reservation`, also behind the FEFO
proposal); `usable_free`, `free_for_process` and `is_scarce` are the requests' only readings of it.

Approval reserves FEFO lots for a line, picking books them out, cancellation gives them back; a reserved lot that
becomes unusable hands its reservation to other lots. `register_ledger_hooks` (called once per app by
`requests.init_app`) tells the ledger about the last of these, about picks that must not be reversed, and about
what allocations hold back on the stock overview.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import select

from stockpile import audit, formats
from stockpile.db import local_today, session
from stockpile.errors import Conflict
from stockpile.inventory import balances, hooks
from stockpile.inventory import services as inventory
from stockpile.inventory.models import Lot, StockMovement
from stockpile.inventory.models import label as inventory_label
from stockpile.inventory.queries import PickProposal, free_for_reservation, propose_picks
from stockpile.inventory.validation import MAX_QUANTITY, check_quantity
from stockpile.policy_log import services as policy_log
from stockpile.requests import allocations
from stockpile.requests.models import LineReservation, RequestLine, RequestState, SupplyRequest

# A request line counts units as the ledger does: the same bounds, the same message.
__all__ = ["MAX_QUANTITY", "check_quantity"]
OPEN_FOR_PICKING = (RequestState.APPROVED, RequestState.PARTIALLY_APPROVED)


def min_shelf_life_days() -> int:
    """Days a lot must stay usable after it leaves the stockpile: the policy in force (`policy_log`)."""
    return policy_log.min_shelf_life_days()


def usable_free(item_id: int) -> int:
    """Free stock an approval can reserve now (the ledger's one rule, with this service's minimum shelf life)."""
    return free_for_reservation(item_id, min_shelf_life_days())


def free_for_process(item_id: int, process_id: int) -> int:
    """Free stock for a process: usable free stock minus what other processes' allocations hold back."""
    return max(0, usable_free(item_id) - allocations.held_back(item_id, process_id))


def scarce(asked: int, free: int) -> bool:
    """Scarcity, defined once: more is asked than is free."""
    return asked > free


def is_scarce(item_id: int, asked: int, process_id: int | None = None) -> bool:
    """Whether an ask is scarce now (for a process: against what the others' allocations leave it)."""
    return scarce(asked, usable_free(item_id) if process_id is None else free_for_process(item_id, process_id))


def reserve_line(line: RequestLine, quantity: int) -> None:
    """Reserve FEFO lots for an approved quantity, or raise Conflict naming what usable lots hold."""
    days = min_shelf_life_days()
    proposal = propose_picks(line.item_id, quantity, min_shelf_life_days=days)
    if proposal.shortfall:
        raise Conflict(
            _("Only %(got)s of %(qty)s units of %(item)s are in lots usable for at least %(days)d more days.",
              got=formats.number(proposal.covered), qty=formats.number(quantity), item=line.item.code, days=days),
            {f"line-{line.id}": [_("Only %(got)s units in usable lots.", got=formats.number(proposal.covered))]},
        )
    _reserve_proposal(line, proposal)


def _reserve_proposal(line: RequestLine, proposal: PickProposal) -> None:
    for pick in proposal.lines:
        balances.reserve_stock(pick.lot, pick.warehouse.id, pick.quantity, local_today())
        line.reservations.append(LineReservation(lot_id=pick.lot.id, warehouse_id=pick.warehouse.id,
                                                 quantity=pick.quantity))
    session().flush()


def issue_line(line: RequestLine, number: str, user_id: int) -> None:
    """Book a line's reserved lots out as issue movements linked to its reservations."""
    for reservation in line.reservations:
        outstanding = reservation.outstanding
        if not outstanding:
            continue
        movement = inventory.issue(
            lot_id=reservation.lot_id, warehouse_id=reservation.warehouse_id, quantity=outstanding,
            reason=_("Request %(number)s", number=number), reference=number, user_id=user_id,
            from_reserved=outstanding,
        )
        reservation.released += outstanding
        reservation.issue_movement_id = movement.id
        line.quantity_issued += outstanding
    session().flush()


def release_line(line: RequestLine) -> None:
    """Give a line's outstanding reservations back to free stock."""
    for reservation in line.reservations:
        if reservation.outstanding:
            balances.release_reservation(reservation.lot, reservation.warehouse_id, reservation.outstanding)
            reservation.released = reservation.quantity
    session().flush()


def replan_reservations(lot: Lot, user_id: int | None) -> None:
    """A reserved lot was blocked, recalled or expired: free its reservations and reserve other lots instead.

    What no other lot can cover is taken off the approval, with a note on the line and in the audit log, so the
    pick list never points at unusable stock and the shortfall is visible to the region and the forecast.
    """
    reservations = session().scalars(
        select(LineReservation).join(RequestLine, RequestLine.id == LineReservation.line_id)
        .join(SupplyRequest, SupplyRequest.id == RequestLine.request_id)
        .where(LineReservation.lot_id == lot.id, LineReservation.released < LineReservation.quantity,
               SupplyRequest.state.in_(OPEN_FOR_PICKING))
    ).all()
    for reservation in reservations:
        _move_reservation(reservation, lot, user_id)


def _move_reservation(reservation: LineReservation, lot: Lot, user_id: int | None) -> None:
    outstanding = reservation.outstanding
    balances.release_reservation(lot, reservation.warehouse_id, outstanding)
    reservation.released = reservation.quantity
    line = session().get(RequestLine, reservation.line_id)
    assert line is not None
    proposal = propose_picks(line.item_id, outstanding, min_shelf_life_days=min_shelf_life_days())
    _reserve_proposal(line, proposal)
    if proposal.shortfall:
        _take_off_approval(line, lot, proposal.shortfall)
    session().flush()
    audit.record(user_id, "request.replan", line.request, line=line.id, lot=lot.lot_number, moved=proposal.covered,
                 lost=proposal.shortfall)


def _take_off_approval(line: RequestLine, lot: Lot, lost: int) -> None:
    line.quantity_approved = (line.quantity_approved or 0) - lost
    # No other lot could cover it: the line now gets less than asked because stock is short, so the forecast
    # keeps counting the whole ask as demand.
    line.cut_for_scarcity = True
    line.approval_note = "; ".join(filter(None, [line.approval_note, _(
        "%(n)d units lost with lot %(lot)s (%(status)s) and not replaced.",
        n=lost, lot=lot.lot_number, status=inventory_label(lot.quality_status))]))
    given_back = min(lost, line.quantity_from_allocation)
    allocations.give_back_to_allocation(line.request.essential_process_id, line.item_id, given_back)
    line.quantity_from_allocation -= given_back


def refuse_reversal_of_picks(movement: StockMovement) -> None:
    """An issue booked by a request's pick left with that request; reversing it would make shipped stock free."""
    picked = session().scalar(select(LineReservation).where(LineReservation.issue_movement_id == movement.id))
    if picked is not None:
        line = session().get(RequestLine, picked.line_id)
        number = line.request.number if line else "?"
        raise Conflict(_("Movement %(id)d was picked for request %(number)s; record a return receipt instead of "
                         "reversing it.", id=movement.id, number=number))


def register_ledger_hooks(app: Flask) -> None:
    """What the ledger must call in this app: re-planning, the reversal guard, the allocations' held-back stock."""
    hooks.on_lot_unusable(app, replan_reservations)
    hooks.guard_reversal(app, refuse_reversal_of_picks)
    hooks.declare_held_back(app, allocations.held_back_by_item)

