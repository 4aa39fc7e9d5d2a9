"""Ring-fenced stock per essential process, and the free stock a process may draw on."""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select, update

from stockpile import audit
from stockpile.db import local_today, session
from stockpile.errors import FieldErrors
from stockpile.inventory.models import Lot, QualityStatus, StockBalance
from stockpile.inventory.validation import check_quantity
from stockpile.reference.models import EssentialProcess, Item, Warehouse
from stockpile.requests.models import Allocation, AllocationChange


def usable_free(item_id: int) -> int:
    """Free stock an approval can reserve: released lots with the minimum shelf life left, in active warehouses.

    The same rule as the FEFO reservation at approval, so what the review page shows as free can be approved.
    """
    min_days = int(current_app.config.get("MIN_REMAINING_SHELF_LIFE_DAYS", 30))
    cutoff = local_today() + dt.timedelta(days=min_days)
    total = session().scalar(
        select(func.coalesce(func.sum(StockBalance.on_hand - StockBalance.reserved), 0))
        .join(Lot, Lot.id == StockBalance.lot_id)
        .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
        .where(StockBalance.item_id == item_id, Warehouse.active.is_(True),
               and_(Lot.quality_status == QualityStatus.RELEASED, Lot.expiry_date >= cutoff))
    )
    return int(total or 0)


def held_back(item_id: int, except_process_id: int | None = None) -> int:
    """What the allocations of other processes still ring-fence of an item."""
    stmt = select(Allocation).where(Allocation.item_id == item_id)
    if except_process_id is not None:
        stmt = stmt.where(Allocation.essential_process_id != except_process_id)
    return sum(allocation.remaining for allocation in session().scalars(stmt))


def held_back_by_item() -> dict[int, int]:
    """Per item, what all allocations together still ring-fence (for the stock overview)."""
    remaining = func.sum(case((Allocation.quantity > Allocation.used, Allocation.quantity - Allocation.used),
                              else_=0))
    rows = session().execute(select(Allocation.item_id, remaining).group_by(Allocation.item_id))
    return {item_id: int(total or 0) for item_id, total in rows}


def free_for_process(item_id: int, process_id: int) -> int:
    """Free stock for a process: usable free stock minus what other processes' allocations hold back."""
    return max(0, usable_free(item_id) - held_back(item_id, process_id))


def allocation_for(process_id: int, item_id: int) -> Allocation | None:
    """The allocation of an item to a process, if any."""
    return session().scalar(select(Allocation).where(Allocation.essential_process_id == process_id,
                                                     Allocation.item_id == item_id))


def set_allocation(process_id: int, item_id: int, quantity: int, reason: str, user_id: int | None) -> Allocation:
    """Set how much of an item is ring-fenced for a process; every change is kept with who and why."""
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
        raise FieldErrors.one("quantity", _("Enter a whole number of units (0 removes the ring-fence)."))
    if quantity:
        check_quantity(quantity)
    if not reason.strip():
        raise FieldErrors.one("reason", _("Say why the allocation changes."))
    process, item = session().get(EssentialProcess, process_id), session().get(Item, item_id)
    if process is None or not process.active:
        raise FieldErrors.one("essential_process_id", _("Choose an active essential process."))
    if item is None or not item.active:
        raise FieldErrors.one("item_id", _("Choose an active item."))
    allocation = allocation_for(process_id, item_id)
    if allocation is None:
        allocation = Allocation(essential_process_id=process_id, item_id=item_id, quantity=0, used=0)
        session().add(allocation)
        session().flush()
    old = allocation.quantity
    allocation.quantity = quantity
    session().add(AllocationChange(allocation_id=allocation.id, old_quantity=old, new_quantity=quantity,
                                   reason=reason.strip(), user_id=user_id))
    session().flush()
    audit.record(user_id, "allocation.set", allocation, process=process.code, item=item.code, old=old,
                 new=quantity, reason=reason.strip())
    return allocation


def draw_on_allocation(process_id: int, item_id: int, quantity: int) -> int:
    """Count an approval against the process's ring-fence first; return how much came from it."""
    allocation = allocation_for(process_id, item_id)
    if allocation is None:
        return 0
    taken = min(quantity, allocation.remaining)
    # An UPDATE relative to the stored value, so concurrent draws and give-backs never overwrite each other.
    session().execute(update(Allocation).where(Allocation.id == allocation.id)
                      .values(used=Allocation.used + taken).execution_options(synchronize_session=False))
    session().refresh(allocation)
    return taken


def give_back_to_allocation(process_id: int, item_id: int, quantity: int) -> None:
    """Undo a draw when an approved request is cancelled before it was picked."""
    allocation = allocation_for(process_id, item_id)
    if allocation is not None and quantity:
        session().execute(update(Allocation).where(Allocation.id == allocation.id)
                          .values(used=case((Allocation.used > quantity, Allocation.used - quantity), else_=0))
                          .execution_options(synchronize_session=False))
        session().refresh(allocation)
