"""Ring-fenced stock per essential process: what each allocation still holds back, draws and give-backs.

Setting an allocation is a verb of `requests.services`; what is free for a process is `requests.reservations`.
"""

from __future__ import annotations

from sqlalchemy import case, func, select, update

from stockpile.db import session
from stockpile.requests.models import Allocation


def held_back(item_id: int, except_process_id: int | None = None) -> int:
    """What the allocations of other processes still ring-fence of an item."""
    stmt = select(Allocation).where(Allocation.item_id == item_id)
    if except_process_id is not None:
        stmt = stmt.where(Allocation.essential_process_id != except_process_id)
    return sum(allocation.remaining for allocation in session().scalars(stmt))


def held_back_by_item() -> dict[int, int]:
    """Per item, what all allocations together still ring-fence (declared to the ledger for the stock overview)."""
    remaining = func.sum(case((Allocation.quantity > Allocation.used, Allocation.quantity - Allocation.used),
                              else_=0))
    rows = session().execute(select(Allocation.item_id, remaining).group_by(Allocation.item_id))
    return {item_id: int(total or 0) for item_id, total in rows}


def allocation_for(process_id: int, item_id: int) -> Allocation | None:
    """The allocation of an item to a process, if any."""
    return session().scalar(select(Allocation).where(Allocation.essential_process_id == process_id,
                                                     Allocation.item_id == item_id))


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
