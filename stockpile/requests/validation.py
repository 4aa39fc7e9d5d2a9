"""Checks of what people fill in for a request: a draft, an approval, a receipt. Each raises FieldErrors naming
every problem at once; none writes anything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from stockpile import formats
from stockpile.db import local_today, session
from stockpile.errors import FieldErrors
from stockpile.reference.models import EssentialProcess, Item, Warehouse
from stockpile.requests.models import SupplyRequest
from stockpile.requests.reservations import MAX_QUANTITY, check_quantity

# Lines one request may have: checked before any line is looked up, on the pages and in the API.
MAX_REQUEST_LINES = 100
Decisions = dict[int, tuple[Any, str]]  # line id -> (quantity approved, note)
Received = dict[int, tuple[Any, str]]  # line id -> (quantity received, note)


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
    reask_of_id: int | None = None  # the rejected or cut request of the same region this one asks again for


def check_draft(data: DraftData, region_id: int) -> None:
    """Check a draft of a region without writing anything; raises FieldErrors listing every problem."""
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
    errors.update(_reask_errors(data.reask_of_id, region_id))
    if errors:
        raise FieldErrors(errors)


def _reask_errors(reask_of_id: int | None, region_id: int) -> dict[str, list[str]]:
    """A re-ask names a request of the same region that was rejected or got less than asked."""
    if reask_of_id is None:
        return {}
    original = session().get(SupplyRequest, reask_of_id)
    if original is None or original.region_id != region_id:  # another region's request is not named, as a 404
        return {"reask_of_id": [_("Choose a request of your own region.")]}
    if not original.can_be_asked_again:
        return {"reask_of_id": [_("Request %(number)s was neither rejected nor cut; only those can be asked again.",
                                  number=original.number)]}
    return {}


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
    if len(lines) > MAX_REQUEST_LINES:
        return {"lines": [_("A request may have at most %(max)d lines; this one has %(count)d.",
                            max=MAX_REQUEST_LINES, count=len(lines))]}
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


def _whole_units(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and 0 <= value <= MAX_QUANTITY


def check_decisions(request: SupplyRequest, decisions: Decisions) -> dict[int, int]:
    """An approval: every line's quantity (at most what was asked, a note when less); returns line id -> units."""
    errors: dict[str, list[str]] = {}
    quantities: dict[int, int] = {}
    unknown = set(decisions) - {line.id for line in request.lines}
    if unknown:
        errors["lines"] = [_("Line %(id)d is not part of this request.", id=min(unknown))]
    for line in request.lines:
        quantity, note = decisions.get(line.id, (None, ""))
        key = f"line-{line.id}"
        if not _whole_units(quantity):
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


def check_receipt(request: SupplyRequest, received: Received) -> None:
    """A receipt: every line's quantity received, with a note where it differs from what was sent."""
    errors: dict[str, list[str]] = {}
    for line in request.lines:
        quantity, note = received.get(line.id, (None, ""))
        key = f"line-{line.id}"
        if not _whole_units(quantity):
            errors[key] = [_("Enter the number of units received (0 or more).")]
        elif quantity != line.quantity_issued and not note.strip():
            errors[key] = [_("%(got)s received but %(sent)s sent: add a note on the difference.",
                             got=formats.number(quantity), sent=formats.number(line.quantity_issued))]
    if errors:
        raise FieldErrors(errors)
