"""The only code that changes stock balances: guarded, conditional updates that never oversell."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import Exists, and_, exists, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from stockpile import formats
from stockpile.db import session, table_of, unnest_insert
from stockpile.errors import Conflict
from stockpile.inventory.models import Lot, QualityStatus, StockBalance, label
from stockpile.reference.models import Warehouse


def lock_balances(lot: Lot, warehouse_ids: Iterable[int]) -> None:
    """Lock a lot's balance rows in the one global order, warehouse ids ascending, before changing several.

    Two opposite transfers of one lot (A to B and B to A) otherwise lock the two rows in opposite orders and
    deadlock on PostgreSQL. Every path that changes more than one balance row in a transaction takes its locks here
    first (SQLite's write lock already serialises writers; FOR UPDATE is left out there).
    """
    session().execute(
        select(StockBalance.lot_id).where(StockBalance.lot_id == lot.id,
                                          StockBalance.warehouse_id.in_(sorted(set(warehouse_ids))))
        .order_by(StockBalance.warehouse_id).with_for_update()
    ).all()


def add_stock(lot: Lot, warehouse_id: int, quantity: int) -> None:
    """Put units of a lot into a warehouse, creating its balance row on first arrival."""
    dialect = session().get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(StockBalance).values(
        lot_id=lot.id, warehouse_id=warehouse_id, item_id=lot.item_id, on_hand=quantity, reserved=0
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[StockBalance.lot_id, StockBalance.warehouse_id],
        set_={"on_hand": StockBalance.on_hand + quantity},
    )
    session().execute(stmt)


def take_stock(lot: Lot, warehouse_id: int, quantity: int, *, usable_on: dt.date | None = None,
               from_reserved: int = 0) -> None:
    """Take units of a lot out of a warehouse, or raise Conflict with the numbers.

    The check and the change are one UPDATE whose WHERE holds the condition, so two processes can never both
    take the last units: the second finds no row to update. `from_reserved` of the units were reserved for this
    and leave the reservation with them. With `usable_on`, the lot must also be released and unexpired then.
    """
    free_needed = quantity - from_reserved
    conditions = [
        StockBalance.lot_id == lot.id,
        StockBalance.warehouse_id == warehouse_id,
        StockBalance.on_hand - StockBalance.reserved >= free_needed,
        StockBalance.reserved >= from_reserved,
    ]
    if usable_on is not None:
        conditions.append(_lot_usable(lot.id, usable_on))
    result = session().execute(
        update(StockBalance)
        .where(and_(*conditions))
        .values(on_hand=StockBalance.on_hand - quantity, reserved=StockBalance.reserved - from_reserved)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _shortage(lot, warehouse_id, quantity, usable_on)


def reserve_stock(lot: Lot, warehouse_id: int, quantity: int, usable_on: dt.date) -> None:
    """Set units of a usable lot aside in a warehouse, or raise Conflict with the numbers."""
    result = session().execute(
        update(StockBalance)
        .where(
            StockBalance.lot_id == lot.id,
            StockBalance.warehouse_id == warehouse_id,
            StockBalance.on_hand - StockBalance.reserved >= quantity,
            _lot_usable(lot.id, usable_on),
        )
        .values(reserved=StockBalance.reserved + quantity)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _shortage(lot, warehouse_id, quantity, usable_on)


def release_reservation(lot: Lot, warehouse_id: int, quantity: int) -> None:
    """Give reserved units back to free stock."""
    result = session().execute(
        update(StockBalance)
        .where(
            StockBalance.lot_id == lot.id,
            StockBalance.warehouse_id == warehouse_id,
            StockBalance.reserved >= quantity,
        )
        .values(reserved=StockBalance.reserved - quantity)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(_("Cannot release %(qty)s units of lot %(lot)s: fewer are reserved.",
                         qty=formats.number(quantity), lot=lot.lot_number))


def _lot_usable(lot_id: int, day: dt.date) -> Exists:
    return exists().where(
        Lot.id == lot_id, Lot.quality_status == QualityStatus.RELEASED, Lot.expiry_date >= day
    )


def _shortage(lot: Lot, warehouse_id: int, quantity: int, usable_on: dt.date | None) -> Conflict:
    """Explain a refused guard in the user's terms: status, expiry or the free quantity."""
    session().refresh(lot)
    warehouse = session().get(Warehouse, warehouse_id)
    where = warehouse.code if warehouse else str(warehouse_id)
    if usable_on is not None and lot.quality_status is not QualityStatus.RELEASED:
        return Conflict(_("Lot %(lot)s is %(status)s; only released stock can be used.",
                          lot=lot.lot_number, status=label(lot.quality_status)))
    if usable_on is not None and lot.expiry_date < usable_on:
        return Conflict(_("Lot %(lot)s expired on %(date)s.", lot=lot.lot_number, date=formats.date(lot.expiry_date)))
    balance = session().scalar(
        select(StockBalance).where(StockBalance.lot_id == lot.id, StockBalance.warehouse_id == warehouse_id)
        .execution_options(populate_existing=True)
    )
    free = balance.free if balance else 0
    return Conflict(
        _("Only %(free)s of %(qty)s units free in lot %(lot)s at %(wh)s.",
          free=formats.number(free), qty=formats.number(quantity), lot=lot.lot_number, wh=where),
        {"quantity": [_("Only %(free)s units free.", free=formats.number(free))]},
    )


def add_stock_in_bulk(arrivals: Iterable[tuple[int, int, int, int]]) -> None:
    """Put units of many lots into warehouses in one statement: (lot id, warehouse id, item id, quantity) each.

    The same upsert as `add_stock`, run once per balance row with the quantities of that row summed first
    (one statement may not change a row twice).
    """
    totals: dict[tuple[int, int], list[int]] = {}
    for lot_id, warehouse_id, item_id, quantity in arrivals:
        totals.setdefault((lot_id, warehouse_id), [item_id, 0])[1] += quantity
    if not totals:
        return
    rows = [{"lot_id": lot_id, "warehouse_id": warehouse_id, "item_id": item_id, "on_hand": total, "reserved": 0}
            for (lot_id, warehouse_id), (item_id, total) in totals.items()]
    table = table_of(StockBalance)
    if session().get_bind().dialect.name == "postgresql":
        stmt = unnest_insert(StockBalance, rows)
        session().execute(stmt.on_conflict_do_update(index_elements=[table.c.lot_id, table.c.warehouse_id],
                                                     set_={"on_hand": table.c.on_hand + stmt.excluded.on_hand}))
        return
    upsert = sqlite_insert(table)
    session().execute(upsert.on_conflict_do_update(index_elements=[table.c.lot_id, table.c.warehouse_id],
                                                   set_={"on_hand": table.c.on_hand + upsert.excluded.on_hand}), rows)
