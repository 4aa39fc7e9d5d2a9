"""The verbs of requests, and the only place a request changes: each passes `policy.require` first.

draft, update, submit, cancel (one, for every role), reject, approve, accept a rationing, pick, ship, confirm
receipt, and set an allocation. Each validates, changes, flushes and audits; none commits. The stock side
(reserving, issuing, giving back) is `requests.reservations`.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from stockpile import audit, formats
from stockpile.auth.models import Role, User
from stockpile.db import local_today, session, utcnow
from stockpile.errors import Conflict, FieldErrors, Forbidden
from stockpile.policy_log import services as policy_log
from stockpile.policy_log.models import PolicyTopic
from stockpile.reference.models import EssentialProcess, Item
from stockpile.requests import allocations, hooks, reservations
from stockpile.requests.models import (
    Allocation,
    AllocationChange,
    RequestLine,
    RequestState,
    RequestTransition,
    SupplyRequest,
)
from stockpile.requests.policy import TRANSITIONS, Action, require, require_allocation_setter, transition_refusal
from stockpile.requests.scarcity import open_lines
from stockpile.requests.validation import Decisions, Received, check_decisions, check_draft, check_receipt
from stockpile.requests.validation import DraftData as DraftData

S = RequestState


def create_draft(user: User, data: DraftData) -> SupplyRequest:
    """A new draft for the user's own region."""
    if user.role is not Role.REGION or user.region_id is None:
        raise Forbidden(_("Only region users make requests."))
    _refuse_resubmission(data.form_token)
    check_draft(data, user.region_id)
    request = SupplyRequest(region_id=user.region_id, created_by_id=user.id, state=S.DRAFT,
                            form_token=data.form_token or None)
    _apply(request, data)
    session().add(request)
    session().flush()
    audit.record(user.id, "request.create", request, lines=data.lines)
    return request


def update_draft(request: SupplyRequest, user: User, data: DraftData) -> SupplyRequest:
    """Change a draft; once submitted, a request is no longer edited."""
    require(Action.EDIT, request, user)
    check_draft(data, request.region_id)
    _apply(request, data)
    session().flush()
    audit.record(user.id, "request.update", request, lines=data.lines)
    return request


def submit(request: SupplyRequest, user: User) -> None:
    """Send a draft for review."""
    require(Action.SUBMIT, request, user)
    if request.needed_by < local_today():  # a draft can wait past its date
        raise FieldErrors.one("needed_by", _("The needed-by date has passed; edit the draft first."))
    _transition(request, S.SUBMITTED, user.id, submitted_by_id=user.id, submitted_at=utcnow())


def cancel(request: SupplyRequest, user: User, reason: str = "") -> None:
    """Cancel: the region its own request before review; the continuity section, with a reason, until picking.

    Reserved stock and what the approval drew from the process's allocation are given back.
    """
    require(Action.CANCEL, request, user)
    if user.role is Role.CONTINUITY and not reason.strip():
        raise FieldErrors.one("reason", _("Say why the request is cancelled."))
    _transition(request, S.CANCELLED, user.id, reason.strip())
    for line in request.lines:
        reservations.release_line(line)
        allocations.give_back_to_allocation(request.essential_process_id, line.item_id,
                                            line.quantity_from_allocation)
        line.quantity_from_allocation = 0
    session().flush()


def reject(request: SupplyRequest, reviewer: User, reason: str, for_scarcity: bool | None) -> None:
    """Refuse a submitted request, with a reason the region will read and whether stock was too short.

    The reviewer says which (`for_scarcity`; None is refused): only a refusal for scarcity counts the ask as
    unconstrained demand, since a duplicate or an ask outside the norm was never a need the stockpile failed.
    """
    require(Action.REJECT, request, reviewer)
    errors = {}
    if not reason.strip():
        errors["reason"] = [_("Say why the request is rejected.")]
    if not isinstance(for_scarcity, bool):
        errors["for_scarcity"] = [_("Say whether the request is rejected because stock is short.")]
    if errors:
        raise FieldErrors(errors)
    _transition(request, S.REJECTED, reviewer.id, reason.strip(), reviewed_by_id=reviewer.id, decided_at=utcnow(),
                decision_note=reason.strip(), policy_version_id=policy_log.current_version_id())
    for line in request.lines:
        line.quantity_approved = 0
        line.cut_for_scarcity = bool(for_scarcity)


def approve(request: SupplyRequest, reviewer: User, decisions: Decisions,
            scarce_items: frozenset[int] = frozenset()) -> None:
    """Approve each line in full or in part, reserving the stock in the same transaction.

    Free stock is checked against what other processes' allocations hold back; the reservation itself is the
    guarded update in `inventory.balances`, so two reviewers approving at once can never reserve the same units.
    A line cut below its ask is cut for scarcity when more is asked than is free for its process now, or when
    its item is in `scarce_items` (a rationing, which decides that from its outcome, not request by request).
    """
    require(Action.APPROVE, request, reviewer)
    quantities = check_decisions(request, decisions)
    _lock_items(sorted(line.item_id for line in request.lines))
    for line in request.lines:
        _approve_line(request, line, quantities[line.id], decisions[line.id][1].strip(),
                      line.item_id in scarce_items)
    full = all(line.quantity_approved == line.quantity_requested for line in request.lines)
    _transition(request, S.APPROVED if full else S.PARTIALLY_APPROVED, reviewer.id,
                "; ".join(line.approval_note for line in request.lines if line.approval_note),
                reviewed_by_id=reviewer.id, decided_at=utcnow(), policy_version_id=policy_log.current_version_id())


def _lock_items(item_ids: list[int]) -> None:
    # On PostgreSQL, approvals of the same item queue here, so the allocation check and the reservation are
    # decided one at a time; SQLite's BEGIN IMMEDIATE already serialises every writing transaction.
    session().execute(select(Item.id).where(Item.id.in_(item_ids)).order_by(Item.id).with_for_update())


def _approve_line(request: SupplyRequest, line: RequestLine, quantity: int, note: str, rationed: bool) -> None:
    free = reservations.free_for_process(line.item_id, request.essential_process_id)
    if quantity > free:
        raise Conflict(
            _("Only %(free)s of %(qty)s units of %(item)s are free for %(process)s.", free=formats.number(free),
              qty=formats.number(quantity), item=line.item.code, process=request.essential_process.code),
            {f"line-{line.id}": [_("Only %(free)s units free.", free=formats.number(free))]},
        )
    if quantity:
        reservations.reserve_line(line, quantity)
    line.quantity_approved, line.approval_note = quantity, note
    line.cut_for_scarcity = quantity < line.quantity_requested and (
        rationed or reservations.scarce(line.quantity_requested, free))
    line.quantity_from_allocation = allocations.draw_on_allocation(request.essential_process_id, line.item_id,
                                                                   quantity)


def accept_rationing(item_id: int, quantities: dict[int, int | None], reviewer: User) -> list[SupplyRequest]:
    """Decide every request of a rationing proposal: the item's lines as given, other lines in full.

    Only the lines the reviewer saw are decided (`quantities` must name exactly the open lines). A request left
    with nothing at all is rejected with the rationing as its reason. Whether the item was scarce is decided once,
    from all the open lines against the free stock before any of them is decided, so every line the rationing
    gives less than asked is cut for scarcity: the first one decided and those rationed to 0 too.
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
    scarce = reservations.is_scarce(item_id, sum(line.quantity_requested for line in lines.values()))
    decided = []
    for request in sorted({line.request for line in lines.values()}, key=lambda r: r.id):
        decisions: Decisions = {line.id: (quantities[line.id], note) if line.id in quantities
                                else (line.quantity_requested, "") for line in request.lines}
        if not any(quantity for quantity, _note in decisions.values()):
            reject(request, reviewer, note, for_scarcity=scarce)
        else:
            approve(request, reviewer, decisions, frozenset({item_id}) if scarce else frozenset())
        decided.append(request)
    return decided


def pick(request: SupplyRequest, user: User) -> None:
    """Book the reserved lots out as issue movements linked to the request's lines."""
    require(Action.PICK, request, user)
    _transition(request, S.PICKING, user.id)
    for line in request.lines:
        reservations.issue_line(line, request.number, user.id)


def ship(request: SupplyRequest, user: User, carrier: str, reference: str) -> None:
    """Record that the picked goods left, with carrier and reference."""
    require(Action.SHIP, request, user)
    if not carrier.strip():
        raise FieldErrors.one("carrier", _("Name the carrier."))
    _transition(request, S.SHIPPED, user.id, f"{carrier.strip()} {reference.strip()}".strip(),
                carrier=carrier.strip(), shipment_reference=reference.strip(), shipped_at=utcnow())


def confirm_receipt(request: SupplyRequest, user: User, received: Received) -> None:
    """The region confirms, line by line, what arrived; a difference needs a note and is kept as a discrepancy."""
    require(Action.CONFIRM, request, user)
    check_receipt(request, received)
    _transition(request, S.DELIVERED, user.id, delivered_at=utcnow())
    for line in request.lines:
        quantity, note = received[line.id]
        line.quantity_received, line.discrepancy_note = quantity, note.strip()


def set_allocation(process_id: int, item_id: int, quantity: int, reason: str, user: User) -> Allocation:
    """Set how much of an item is ring-fenced for a process; every change is kept with who and why."""
    require_allocation_setter(user)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
        raise FieldErrors.one("quantity", _("Enter a whole number of units (0 removes the ring-fence)."))
    if quantity:
        reservations.check_quantity(quantity)
    if not reason.strip():
        raise FieldErrors.one("reason", _("Say why the allocation changes."))
    process, item = session().get(EssentialProcess, process_id), session().get(Item, item_id)
    if process is None or not process.active:
        raise FieldErrors.one("essential_process_id", _("Choose an active essential process."))
    if item is None or not item.active:
        raise FieldErrors.one("item_id", _("Choose an active item."))
    allocation = allocations.allocation_for(process_id, item_id)
    if allocation is None:
        allocation = Allocation(essential_process_id=process_id, item_id=item_id, quantity=0, used=0)
        session().add(allocation)
        session().flush()
    old, allocation.quantity = allocation.quantity, quantity
    session().add(AllocationChange(allocation_id=allocation.id, old_quantity=old, new_quantity=quantity,
                                   reason=reason.strip(), user_id=user.id))
    policy_log.record_change(user, PolicyTopic.ALLOCATION, quantity, reason, old_value=old, process_id=process_id,
                             item_id=item_id)
    session().flush()
    audit.record(user.id, "allocation.set", allocation, process=process.code, item=item.code, old=old,
                 new=quantity, reason=reason.strip())
    return allocation


def _transition(request: SupplyRequest, new_state: RequestState, user_id: int | None, comment: str = "",
                **columns: Any) -> None:
    """Move a request to a new state, with the columns that go with the move, or raise InvalidTransition.

    One UPDATE, which only matches while the request is still in the state this transaction saw, so a double
    submit or two reviewers deciding at once cannot both succeed: the second finds the state already changed.
    The object takes the new values as stored ones, so the next flush does not write them a second time.
    """
    current = request.state
    if new_state not in TRANSITIONS[current]:
        raise transition_refusal(request, current, new_state)
    result = session().execute(
        update(SupplyRequest).where(SupplyRequest.id == request.id, SupplyRequest.state == current)
        .values(state=new_state, **columns).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session().refresh(request)
        raise transition_refusal(request, request.state, new_state)
    for name, value in {"state": new_state, **columns}.items():
        set_committed_value(request, name, value)
    session().add(RequestTransition(request_id=request.id, from_state=current, to_state=new_state, user_id=user_id,
                                    comment=comment))
    session().flush()
    audit.record(user_id, "request.transition", request, old=current.value, new=new_state.value, comment=comment)
    hooks.request_moved(request, current, new_state, user_id, comment)  # the alerts: the region hears of the move


def _refuse_resubmission(token: str | None) -> None:
    if not token:
        return
    existing = session().scalar(select(SupplyRequest).where(SupplyRequest.form_token == token))
    if existing is not None:
        raise Conflict(_("This form was already sent: it created request %(number)s.", number=existing.number))


def _apply(request: SupplyRequest, data: DraftData) -> None:
    request.essential_process_id = data.essential_process_id
    request.needed_by = data.needed_by  # type: ignore[assignment]  # checked by check_draft
    request.justification = data.justification.strip()
    request.contact = data.contact.strip()
    request.delivery_warehouse_id = data.delivery_warehouse_id
    request.delivery_address = data.delivery_address.strip()
    request.reask_of_id = data.reask_of_id
    # Lines are updated in place: replacing them would insert before deleting and trip the one-line-per-item rule.
    wanted = dict(data.lines)
    for line in list(request.lines):
        if line.item_id in wanted:
            line.quantity_requested = wanted.pop(line.item_id)
        else:
            request.lines.remove(line)
    session().flush()
    request.lines.extend(RequestLine(item_id=item_id, quantity_requested=qty) for item_id, qty in wanted.items())
