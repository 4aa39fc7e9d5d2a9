"""Approval reserves stock, picking issues it, cancellation gives it back: the stock side of a request."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from stockpile import audit, formats
from stockpile.auth.models import User
from stockpile.db import local_today, session, utcnow
from stockpile.errors import Conflict, FieldErrors
from stockpile.inventory import balances, hooks
from stockpile.inventory import services as inventory
from stockpile.inventory.models import Lot, StockMovement
from stockpile.inventory.models import label as inventory_label
from stockpile.inventory.queries import PickProposal, propose_picks
from stockpile.inventory.validation import MAX_QUANTITY
from stockpile.reference.models import Item
from stockpile.requests import allocations
from stockpile.requests.models import LineReservation, RequestLine, RequestState, SupplyRequest
from stockpile.requests.services import check_reviewer
from stockpile.requests.workflow import ensure_can_move, transition_to

S = RequestState
Decisions = dict[int, tuple[Any, str]]  # line id -> (quantity approved, note)


def approve(request: SupplyRequest, reviewer: User, decisions: Decisions) -> None:
    """Approve each line in full or in part, reserving the stock in the same transaction.

    Free stock is checked against what other processes' allocations hold back; the reservation itself is the
    guarded update in `inventory.balances`, so two reviewers approving at once can never reserve the same units.
    """
    check_reviewer(request, reviewer)
    ensure_can_move(request, S.APPROVED)
    quantities = _validated(request, decisions)
    _lock_items(sorted(line.item_id for line in request.lines))
    for line in request.lines:
        _approve_line(request, line, quantities[line.id], decisions[line.id][1].strip())
    full = all(line.quantity_approved == line.quantity_requested for line in request.lines)
    transition_to(request, S.APPROVED if full else S.PARTIALLY_APPROVED, reviewer.id,
                  "; ".join(line.approval_note for line in request.lines if line.approval_note))
    request.reviewed_by_id, request.decided_at = reviewer.id, utcnow()


def _validated(request: SupplyRequest, decisions: Decisions) -> dict[int, int]:
    errors: dict[str, list[str]] = {}
    quantities: dict[int, int] = {}
    unknown = set(decisions) - {line.id for line in request.lines}
    if unknown:
        errors["lines"] = [_("Line %(id)d is not part of this request.", id=min(unknown))]
    for line in request.lines:
        quantity, note = decisions.get(line.id, (None, ""))
        key = f"line-{line.id}"
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 <= quantity <= MAX_QUANTITY:
            errors[key] = [_("Enter the quantity approved (0 or more).")]
        elif quantity > line.quantity_requested:
            errors[key] = [_("%(qty)s is more than the %(asked)s requested.", qty=formats.number(quantity),
                             asked=formats.number(line.quantity_requested))]
        elif quantity < line.quantity_requested and not note.strip():
            errors[key] = [_("Say why less than requested is approved.")]
        else:
            quantities[line.id] = quantity
    if not errors and not any(quantities.values()):
        errors["lines"] = [_("Approving nothing is a rejection: reject the request with a reason instead.")]
    if errors:
        raise FieldErrors(errors)
    return quantities


def _lock_items(item_ids: list[int]) -> None:
    # On PostgreSQL, approvals of the same item queue here, so the allocation check and the reservation are
    # decided one at a time; SQLite's BEGIN IMMEDIATE already serialises every writing transaction.
    session().execute(select(Item.id).where(Item.id.in_(item_ids)).order_by(Item.id).with_for_update())


def _approve_line(request: SupplyRequest, line: RequestLine, quantity: int, note: str) -> None:
    free = allocations.free_for_process(line.item_id, request.essential_process_id)
    if quantity > free:
        raise Conflict(
            _("Only %(free)s of %(qty)s units of %(item)s are free for %(process)s.", free=formats.number(free),
              qty=formats.number(quantity),
              item=line.item.code, process=request.essential_process.code),
            {f"line-{line.id}": [_("Only %(free)s units free.", free=formats.number(free))]},
        )
    if quantity:
        _reserve(line, quantity, request.number)
    line.quantity_approved, line.approval_note = quantity, note
    line.cut_for_scarcity = quantity < line.quantity_requested and free < line.quantity_requested
    line.quantity_from_allocation = allocations.draw_on_allocation(request.essential_process_id, line.item_id,
                                                                   quantity)


def _reserve(line: RequestLine, quantity: int, number: str) -> None:
    min_days = int(current_app.config.get("MIN_REMAINING_SHELF_LIFE_DAYS", 30))
    proposal = propose_picks(line.item_id, quantity, min_shelf_life_days=min_days)
    if proposal.shortfall:
        raise Conflict(
            _("Only %(got)s of %(qty)s units of %(item)s are in lots usable for at least %(days)d more days.",
              got=formats.number(proposal.covered), qty=formats.number(quantity), item=line.item.code, days=min_days),
            {f"line-{line.id}": [_("Only %(got)s units in usable lots.", got=formats.number(proposal.covered))]},
        )
    _reserve_proposal(line, proposal)


def _reserve_proposal(line: RequestLine, proposal: PickProposal) -> None:
    for pick in proposal.lines:
        balances.reserve_stock(pick.lot, pick.warehouse.id, pick.quantity, local_today())
        line.reservations.append(LineReservation(lot_id=pick.lot.id, warehouse_id=pick.warehouse.id,
                                                 quantity=pick.quantity))
    session().flush()


def pick(request: SupplyRequest, user: User) -> None:
    """Book the reserved lots out as issue movements linked to the request's lines."""
    transition_to(request, S.PICKING, user.id)
    for line in request.lines:
        for reservation in line.reservations:
            outstanding = reservation.outstanding
            if not outstanding:
                continue
            movement = inventory.issue(
                lot_id=reservation.lot_id, warehouse_id=reservation.warehouse_id, quantity=outstanding,
                reason=_("Request %(number)s", number=request.number), reference=request.number,
                user_id=user.id, from_reserved=outstanding,
            )
            reservation.released += outstanding
            reservation.issue_movement_id = movement.id
            line.quantity_issued += outstanding
    session().flush()


def cancel_by_continuity(request: SupplyRequest, reviewer: User, reason: str) -> None:
    """Cancel a request not yet picked, with a reason; reserved stock and allocation draws are given back."""
    check_reviewer(request, reviewer)
    if not reason.strip():
        raise FieldErrors.one("reason", _("Say why the request is cancelled."))
    transition_to(request, S.CANCELLED, reviewer.id, reason.strip())
    for line in request.lines:
        for reservation in line.reservations:
            if reservation.outstanding:
                balances.release_reservation(reservation.lot, reservation.warehouse_id, reservation.outstanding)
                reservation.released = reservation.quantity
        allocations.give_back_to_allocation(request.essential_process_id, line.item_id,
                                            line.quantity_from_allocation)
        line.quantity_from_allocation = 0
    session().flush()


def replan_reservations(lot: Lot, user_id: int | None) -> None:
    """A reserved lot was blocked, recalled or expired: free its reservations and reserve other lots instead.

    What no other lot can cover is taken off the approval, with a note on the line and in the audit log, so the
    pick list never points at unusable stock and the shortfall is visible to the region and the forecast.
    """
    open_states = (S.APPROVED, S.PARTIALLY_APPROVED)
    reservations = session().scalars(
        select(LineReservation).join(RequestLine, RequestLine.id == LineReservation.line_id)
        .join(SupplyRequest, SupplyRequest.id == RequestLine.request_id)
        .where(LineReservation.lot_id == lot.id, LineReservation.released < LineReservation.quantity,
               SupplyRequest.state.in_(open_states))
    ).all()
    for reservation in reservations:
        _move_reservation(reservation, lot, user_id)


def _move_reservation(reservation: LineReservation, lot: Lot, user_id: int | None) -> None:
    outstanding = reservation.outstanding
    balances.release_reservation(lot, reservation.warehouse_id, outstanding)
    reservation.released = reservation.quantity
    line = session().get(RequestLine, reservation.line_id)
    assert line is not None
    min_days = int(current_app.config.get("MIN_REMAINING_SHELF_LIFE_DAYS", 30))
    proposal = propose_picks(line.item_id, outstanding, min_shelf_life_days=min_days)
    _reserve_proposal(line, proposal)
    if proposal.shortfall:
        line.quantity_approved = (line.quantity_approved or 0) - proposal.shortfall
        line.approval_note = "; ".join(filter(None, [line.approval_note, _(
            "%(n)d units lost with lot %(lot)s (%(status)s) and not replaced.",
            n=proposal.shortfall, lot=lot.lot_number, status=inventory_label(lot.quality_status))]))
        given_back = min(proposal.shortfall, line.quantity_from_allocation)
        allocations.give_back_to_allocation(line.request.essential_process_id, line.item_id, given_back)
        line.quantity_from_allocation -= given_back
    session().flush()
    audit.record(user_id, "request.replan", line.request, line=line.id, lot=lot.lot_number, moved=proposal.covered,
                 lost=proposal.shortfall)


def refuse_reversal_of_picks(movement: StockMovement) -> None:
    """An issue booked by a request's pick left with that request; reversing it would make shipped stock free."""
    picked = session().scalar(select(LineReservation).where(LineReservation.issue_movement_id == movement.id))
    if picked is not None:
        line = session().get(RequestLine, picked.line_id)
        number = line.request.number if line else "?"
        raise Conflict(_("Movement %(id)d was picked for request %(number)s; record a return receipt instead of "
                         "reversing it.", id=movement.id, number=number))


def init_app() -> None:
    """Register with the ledger's hooks."""
    hooks.on_lot_unusable(replan_reservations)
    hooks.guard_reversal(refuse_reversal_of_picks)
