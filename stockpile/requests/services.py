"""The region's side of a request: draft, edit, submit, cancel, confirm receipt; and reject, ship.

Approval, picking and cancellation after approval touch stock and live in `fulfilment`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from stockpile import audit, formats
from stockpile.auth.models import Role, User
from stockpile.db import local_today, session, utcnow
from stockpile.errors import Conflict, FieldErrors, Forbidden
from stockpile.inventory.validation import MAX_QUANTITY, check_quantity
from stockpile.reference.models import EssentialProcess, Item, Warehouse
from stockpile.requests.allocations import usable_free
from stockpile.requests.models import RequestLine, RequestState, SupplyRequest
from stockpile.requests.workflow import STATE_LABELS, transition_to

S = RequestState


@dataclass
class DraftData:
    """What a region fills in for a request."""

    essential_process_id: int
    needed_by: dt.date | None
    justification: str
    contact: str
    lines: list[tuple[int, int]]  # (item_id, quantity)
    delivery_warehouse_id: int | None = None
    delivery_address: str = ""
    form_token: str | None = None


def create_draft(user: User, data: DraftData) -> SupplyRequest:
    """A new draft for the user's own region."""
    if user.role is not Role.REGION or user.region_id is None:
        raise Forbidden(_("Only region users make requests."))
    _refuse_resubmission(data.form_token)
    _validate(data)
    request = SupplyRequest(region_id=user.region_id, created_by_id=user.id, state=S.DRAFT,
                            form_token=data.form_token or None)
    _apply(request, data)
    session().add(request)
    session().flush()
    audit.record(user.id, "request.create", request, lines=data.lines)
    return request


def update_draft(request: SupplyRequest, user: User, data: DraftData) -> SupplyRequest:
    """Change a draft; once submitted, a request is no longer edited."""
    _own_region(request, user)
    if request.state is not S.DRAFT:
        raise FieldErrors.one("state", _("Only a draft can be edited; this request is %(state)s.",
                                         state=STATE_LABELS[request.state]))
    _validate(data)
    _apply(request, data)
    session().flush()
    audit.record(user.id, "request.update", request, lines=data.lines)
    return request


def submit(request: SupplyRequest, user: User) -> None:
    """Send a draft for review."""
    _own_region(request, user)
    if request.needed_by < local_today():  # a draft can wait past its date
        raise FieldErrors.one("needed_by", _("The needed-by date has passed; edit the draft first."))
    transition_to(request, S.SUBMITTED, user.id)
    request.submitted_by_id, request.submitted_at = user.id, utcnow()


def cancel_by_region(request: SupplyRequest, user: User, reason: str = "") -> None:
    """A region withdraws its own request before review."""
    _own_region(request, user)
    if request.state not in (S.DRAFT, S.SUBMITTED):
        raise FieldErrors.one("state", _("Once reviewed, only the continuity section can cancel a request."))
    transition_to(request, S.CANCELLED, user.id, reason)


def reject(request: SupplyRequest, reviewer: User, reason: str) -> None:
    """Refuse a submitted request, with a reason the region will read."""
    check_reviewer(request, reviewer)
    if not reason.strip():
        raise FieldErrors.one("reason", _("Say why the request is rejected."))
    transition_to(request, S.REJECTED, reviewer.id, reason.strip())
    request.reviewed_by_id, request.decided_at, request.decision_note = reviewer.id, utcnow(), reason.strip()
    for line in request.lines:
        line.quantity_approved = 0
        # A refusal while stock is short still tells the forecast how much was needed.
        line.cut_for_scarcity = usable_free(line.item_id) < line.quantity_requested


def ship(request: SupplyRequest, user: User, carrier: str, reference: str) -> None:
    """Record that the picked goods left, with carrier and reference."""
    if not carrier.strip():
        raise FieldErrors.one("carrier", _("Name the carrier."))
    transition_to(request, S.SHIPPED, user.id, f"{carrier.strip()} {reference.strip()}".strip())
    request.carrier, request.shipment_reference, request.shipped_at = carrier.strip(), reference.strip(), utcnow()


def confirm_receipt(request: SupplyRequest, user: User, received: dict[int, tuple[Any, str]]) -> None:
    """The region confirms, line by line, what arrived; a difference needs a note and is kept as a discrepancy."""
    _own_region(request, user)
    errors: dict[str, list[str]] = {}
    for line in request.lines:
        quantity, note = received.get(line.id, (None, ""))
        key = f"line-{line.id}"
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 <= quantity <= MAX_QUANTITY:
            errors[key] = [_("Enter the number of units received (0 or more).")]
        elif quantity != line.quantity_issued and not note.strip():
            errors[key] = [_("%(got)s received but %(sent)s sent: add a note on the difference.",
                             got=formats.number(quantity), sent=formats.number(line.quantity_issued))]
    if errors:
        raise FieldErrors(errors)
    transition_to(request, S.DELIVERED, user.id)
    request.delivered_at = utcnow()
    for line in request.lines:
        quantity, note = received[line.id]
        line.quantity_received, line.discrepancy_note = quantity, note.strip()


def check_reviewer(request: SupplyRequest, reviewer: User) -> None:
    """Four eyes: the continuity section decides, and never on a request its decider submitted."""
    if reviewer.role not in (Role.CONTINUITY,):
        raise Forbidden(_("Only the continuity section reviews requests."))
    if reviewer.id in (request.submitted_by_id, request.created_by_id):
        raise Forbidden(_("You submitted this request; someone else must review it."))


def _refuse_resubmission(token: str | None) -> None:
    if not token:
        return
    existing = session().scalar(select(SupplyRequest).where(SupplyRequest.form_token == token))
    if existing is not None:
        raise Conflict(_("This form was already sent: it created request %(number)s.", number=existing.number))


def _own_region(request: SupplyRequest, user: User) -> None:
    if user.role is not Role.REGION or user.region_id != request.region_id:
        raise Forbidden(_("Only the requesting region can do this."))


def validate_draft(data: DraftData) -> None:
    """Check a draft without writing anything; raises FieldErrors listing every problem."""
    _validate(data)


def _validate(data: DraftData) -> None:
    errors: dict[str, list[str]] = {}
    process = session().get(EssentialProcess, data.essential_process_id)
    if process is None or not process.active:
        errors["essential_process_id"] = [_("Choose an active essential process.")]
    if data.needed_by is None:
        errors["needed_by"] = [_("Give the date the PPE is needed by.")]
    elif data.needed_by < local_today():
        errors["needed_by"] = [_("The needed-by date lies in the past.")]
    if not data.justification.strip():
        errors["justification"] = [_("Explain what the PPE is needed for.")]
    if not data.contact.strip():
        errors["contact"] = [_("Give a contact person and phone number.")]
    errors.update(_delivery_errors(data))
    errors.update(_line_errors(data.lines))
    if errors:
        raise FieldErrors(errors)


def _delivery_errors(data: DraftData) -> dict[str, list[str]]:
    if data.delivery_warehouse_id is not None:
        warehouse = session().get(Warehouse, data.delivery_warehouse_id)
        if warehouse is None or not warehouse.active:
            return {"delivery_warehouse_id": [_("Choose an active warehouse.")]}
        return {}
    if not data.delivery_address.strip():
        return {"delivery_address": [_("Give a delivery address or choose a warehouse.")]}
    return {}


def _line_errors(lines: list[tuple[int, int]]) -> dict[str, list[str]]:
    if not lines:
        return {"lines": [_("A request needs at least one line.")]}
    messages: list[str] = []
    seen: set[int] = set()
    for number, (item_id, quantity) in enumerate(lines, start=1):
        item = session().get(Item, item_id)
        if item is None or not item.active:
            messages.append(_("Line %(n)d: choose an active item.", n=number))
        elif item_id in seen:
            messages.append(_("Line %(n)d: %(code)s is already on another line.", n=number, code=item.code))
        seen.add(item_id)
        try:
            check_quantity(quantity)
        except FieldErrors as error:
            messages.append(_("Line %(n)d: %(msg)s", n=number, msg=error.message))
    return {"lines": messages} if messages else {}


def _apply(request: SupplyRequest, data: DraftData) -> None:
    request.essential_process_id = data.essential_process_id
    request.needed_by = data.needed_by  # type: ignore[assignment]  # checked by _validate
    request.justification = data.justification.strip()
    request.contact = data.contact.strip()
    request.delivery_warehouse_id = data.delivery_warehouse_id
    request.delivery_address = data.delivery_address.strip()
    # Lines are updated in place: replacing them would insert before deleting and trip the one-line-per-item rule.
    wanted = dict(data.lines)
    for line in list(request.lines):
        if line.item_id in wanted:
            line.quantity_requested = wanted.pop(line.item_id)
        else:
            request.lines.remove(line)
    session().flush()
    request.lines.extend(RequestLine(item_id=item_id, quantity_requested=qty) for item_id, qty in wanted.items())
