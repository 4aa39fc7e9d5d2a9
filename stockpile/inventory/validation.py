"""Checks shared by the ledger's verbs, each raising a FieldErrors that names the field."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from stockpile import formats
from stockpile.db import local_today, session
from stockpile.errors import FieldErrors
from stockpile.inventory.models import QualityStatus
from stockpile.reference.models import Item, Warehouse

MAX_QUANTITY = 1_000_000_000
RECEIVABLE_STATUSES = {QualityStatus.QUARANTINE, QualityStatus.RELEASED, QualityStatus.BLOCKED}


def check_quantity(quantity: object, field: str = "quantity") -> int:
    """A whole number of units, at least one."""
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise FieldErrors.one(field, _("Enter a whole number of units."))
    if quantity < 1:
        raise FieldErrors.one(field, _("The quantity must be at least 1."))
    if quantity > MAX_QUANTITY:
        raise FieldErrors.one(field, _("The quantity is implausibly large."))
    return quantity


def check_reason(reason: str) -> None:
    """Every booking says why."""
    if not (reason or "").strip():
        raise FieldErrors.one("reason", _("Give a reason."))


def active_item(item_id: int) -> Item:
    """An active catalogue item."""
    item = session().get(Item, item_id)
    if item is None:
        raise FieldErrors.one("item_id", _("Unknown item."))
    if not item.active:
        raise FieldErrors.one("item_id", _("Item %(code)s is inactive.", code=item.code))
    return item


def active_warehouse(warehouse_id: int, field: str) -> Warehouse:
    """An active warehouse."""
    warehouse = session().get(Warehouse, warehouse_id)
    if warehouse is None:
        raise FieldErrors.one(field, _("Unknown warehouse."))
    if not warehouse.active:
        raise FieldErrors.one(field, _("Warehouse %(code)s is inactive.", code=warehouse.code))
    return warehouse


def check_new_lot(lot_number: str, supplier: str, expiry: dt.date, manufactured: dt.date | None,
                  status: QualityStatus) -> None:
    """A new lot needs a number, a supplier, a future expiry after manufacture, and a receivable status."""
    errors: dict[str, list[str]] = {}
    if not lot_number:
        errors["lot_number"] = [_("Give the lot number.")]
    if not supplier:
        errors["supplier"] = [_("Give the supplier.")]
    if manufactured is not None and expiry < manufactured:
        errors["expiry_date"] = [_("The expiry date %(exp)s is before the manufacture date %(man)s.",
                                   exp=formats.date(expiry), man=formats.date(manufactured))]
    elif expiry < local_today():
        errors["expiry_date"] = [_("The expiry date %(exp)s has passed.", exp=formats.date(expiry))]
    if manufactured is not None and manufactured > local_today():
        errors["manufacture_date"] = [_("The manufacture date lies in the future.")]
    if status not in RECEIVABLE_STATUSES:
        errors["quality_status"] = [_("Stock is received as quarantine, released or blocked.")]
    if errors:
        raise FieldErrors(errors)
