"""Read-side questions about stock: overviews, a lot's history, FEFO picking, expiry, and the ledger check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from stockpile.db import local_today, session
from stockpile.inventory.models import Lot, LotStatusEvent, QualityStatus, StockBalance, StockMovement
from stockpile.reference.models import Item, Warehouse


@dataclass(frozen=True)
class ItemStock:
    """One item's national stock, split by usability."""

    item_id: int
    code: str
    name: str
    unit: str
    on_hand: int
    reserved: int
    usable: int
    unusable: int
    first_expiry: dt.date | None

    @property
    def free(self) -> int:
        return self.usable - self.reserved

    def days_until_first_expiry(self, today: dt.date) -> int | None:
        return None if self.first_expiry is None else (self.first_expiry - today).days


def stock_by_item(today: dt.date | None = None, item_id: int | None = None,
                  warehouse_id: int | None = None) -> list[ItemStock]:
    """National stock per item from the balances (never from summing the ledger)."""
    today = today or local_today()
    usable = and_(Lot.quality_status == QualityStatus.RELEASED, Lot.expiry_date >= today)
    stmt = (
        select(
            Item.id, Item.code, Item.name, Item.unit_of_issue,
            func.coalesce(func.sum(StockBalance.on_hand), 0),
            func.coalesce(func.sum(StockBalance.reserved), 0),
            func.coalesce(func.sum(case((usable, StockBalance.on_hand), else_=0)), 0),
            func.min(case((and_(usable, StockBalance.on_hand > 0), Lot.expiry_date))),
        )
        .select_from(Item)
        .outerjoin(StockBalance, StockBalance.item_id == Item.id)
        .outerjoin(Lot, Lot.id == StockBalance.lot_id)
        .group_by(Item.id, Item.code, Item.name, Item.unit_of_issue)
        .order_by(Item.code)
    )
    if item_id is not None:
        stmt = stmt.where(Item.id == item_id)
    if warehouse_id is not None:
        stmt = stmt.where(StockBalance.warehouse_id == warehouse_id)
    return [
        ItemStock(row[0], row[1], row[2], row[3], int(row[4]), int(row[5]), int(row[6]), int(row[4]) - int(row[6]),
                  row[7])
        for row in session().execute(stmt)
    ]


@dataclass(frozen=True)
class StockLine:
    """What one warehouse holds of one lot."""

    warehouse: Warehouse
    lot: Lot
    on_hand: int
    reserved: int

    @property
    def free(self) -> int:
        return self.on_hand - self.reserved


def balances_for(item_id: int | None = None, warehouse_id: int | None = None,
                 status: QualityStatus | None = None, include_empty: bool = False,
                 lot_id: int | None = None) -> list[StockLine]:
    """Balance rows with their lot and warehouse, ordered by item, expiry and warehouse."""
    stmt = select(StockBalance).join(Lot, Lot.id == StockBalance.lot_id).join(
        Warehouse, Warehouse.id == StockBalance.warehouse_id
    )
    if item_id is not None:
        stmt = stmt.where(StockBalance.item_id == item_id)
    if warehouse_id is not None:
        stmt = stmt.where(StockBalance.warehouse_id == warehouse_id)
    if status is not None:
        stmt = stmt.where(Lot.quality_status == status)
    if lot_id is not None:
        stmt = stmt.where(StockBalance.lot_id == lot_id)
    if not include_empty:
        stmt = stmt.where(StockBalance.on_hand > 0)
    stmt = stmt.order_by(StockBalance.item_id, Lot.expiry_date, Warehouse.code)
    return [StockLine(b.warehouse, b.lot, b.on_hand, b.reserved) for b in session().scalars(stmt)]


@dataclass(frozen=True)
class PickLine:
    """Take `quantity` of `lot` from `warehouse`."""

    lot: Lot
    warehouse: Warehouse
    quantity: int


@dataclass
class PickProposal:
    """A FEFO proposal: what to take from where, and what could not be covered."""

    item_id: int
    requested: int
    lines: list[PickLine] = field(default_factory=list)

    @property
    def covered(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def shortfall(self) -> int:
        return self.requested - self.covered


def _reservable(item_id: int, min_shelf_life_days: int, today: dt.date | None) -> list[ColumnElement[bool]]:
    """Free for reservation, the one rule: released lots usable for the days asked, in active warehouses."""
    cutoff = (today or local_today()) + dt.timedelta(days=min_shelf_life_days)
    return [StockBalance.item_id == item_id, StockBalance.on_hand > StockBalance.reserved,
            Lot.quality_status == QualityStatus.RELEASED, Lot.expiry_date >= cutoff, Warehouse.active.is_(True)]


def free_for_reservation(item_id: int, min_shelf_life_days: int = 0, today: dt.date | None = None) -> int:
    """Units an approval or a pick could take now: the free units the FEFO proposal draws on."""
    total = session().scalar(
        select(func.coalesce(func.sum(StockBalance.on_hand - StockBalance.reserved), 0))
        .join(Lot, Lot.id == StockBalance.lot_id).join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
        .where(*_reservable(item_id, min_shelf_life_days, today))
    )
    return int(total or 0)


def propose_picks(item_id: int, quantity: int, warehouse_id: int | None = None, *,
                  min_shelf_life_days: int = 0, today: dt.date | None = None) -> PickProposal:
    """First expired, first out: free units of released lots that stay usable long enough, earliest expiry first."""
    stmt = (
        select(StockBalance)
        .join(Lot, Lot.id == StockBalance.lot_id)
        .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
        .where(*_reservable(item_id, min_shelf_life_days, today))
        .order_by(Lot.expiry_date, Lot.id, Warehouse.code)
        # Balances change through guarded UPDATEs; read the rows as they are now, not as first loaded.
        .execution_options(populate_existing=True)
    )
    if warehouse_id is not None:
        stmt = stmt.where(StockBalance.warehouse_id == warehouse_id)
    proposal = PickProposal(item_id=item_id, requested=quantity)
    remaining = quantity
    for balance in session().scalars(stmt):
        if remaining <= 0:
            break
        take = min(balance.free, remaining)
        proposal.lines.append(PickLine(balance.lot, balance.warehouse, take))
        remaining -= take
    return proposal


def expiring_lots(within_days: int, today: dt.date | None = None) -> list[StockLine]:
    """Stock in lots that expire within the coming days (and have not been written off yet)."""
    today = today or local_today()
    stmt = (
        select(StockBalance)
        .join(Lot, Lot.id == StockBalance.lot_id)
        .where(StockBalance.on_hand > 0, Lot.expiry_date <= today + dt.timedelta(days=within_days),
               Lot.quality_status.in_([QualityStatus.RELEASED, QualityStatus.QUARANTINE, QualityStatus.BLOCKED]))
        .order_by(Lot.expiry_date, StockBalance.item_id)
    )
    return [StockLine(b.warehouse, b.lot, b.on_hand, b.reserved) for b in session().scalars(stmt)]


def movements_query(lot_id: int | None = None, item_id: int | None = None, warehouse_id: int | None = None,
                    kind: str | None = None, since: dt.datetime | None = None,
                    until: dt.datetime | None = None) -> Select[StockMovement]:
    """The ledger, newest first, filtered."""
    stmt = select(StockMovement).order_by(StockMovement.created_at.desc(), StockMovement.id.desc())
    return stmt.where(*movement_filters(lot_id, item_id, warehouse_id, kind, since, until))


@dataclass(frozen=True)
class MovementPage:
    """A page of a lot's movements, newest first, and where the next (older) page starts."""

    movements: list[StockMovement]
    reversed_ids: set[int]
    older: int | None


def lot_movements(lot_id: int, before: int | None, size: int) -> MovementPage:
    """A lot's movements older than movement `before` (or the newest), one page: keyset paging on (time, id).

    The index on (lot_id, created_at) takes the page straight from where it starts, so a lot with 100,000
    movements reads its page as fast as a lot with 100; an OFFSET would read every row before it.
    """
    stmt = movements_query(lot_id=lot_id)
    anchor = session().get(StockMovement, before) if before else None
    if anchor is not None and anchor.lot_id == lot_id:
        stmt = stmt.where(StockMovement.created_at <= anchor.created_at, or_(
            StockMovement.created_at < anchor.created_at, StockMovement.id < anchor.id))
    rows = list(session().scalars(stmt.limit(size + 1)))
    page = rows[:size]
    ids = [movement.id for movement in page]
    reversed_ids = set(session().scalars(select(StockMovement.reverses_id).where(StockMovement.reverses_id.in_(ids))))
    return MovementPage(page, {i for i in reversed_ids if i is not None}, page[-1].id if len(rows) > size else None)


def ledger_lines(item_id: int | None = None, warehouse_id: int | None = None, kind: str | None = None,
                 since: dt.datetime | None = None, until: dt.datetime | None = None) -> Select[*tuple[Any, ...]]:
    """The ledger as plain rows for a file: id, time, type, item code, lot number, warehouse codes, quantity, texts.

    Plain columns, not movement objects: a million lines stream from the cursor without building an object each.
    """
    source, destination = aliased(Warehouse), aliased(Warehouse)
    return (
        select(StockMovement.id, StockMovement.created_at, StockMovement.type, Item.code, Lot.lot_number,
               source.code, destination.code, StockMovement.quantity, StockMovement.reason,
               StockMovement.reference, StockMovement.reverses_id)
        .join(Lot, Lot.id == StockMovement.lot_id)
        .join(Item, Item.id == Lot.item_id)
        .outerjoin(source, source.id == StockMovement.from_warehouse_id)
        .outerjoin(destination, destination.id == StockMovement.to_warehouse_id)
        .where(*movement_filters(None, item_id, warehouse_id, kind, since, until))
        .order_by(StockMovement.created_at.desc(), StockMovement.id.desc())
    )


def movement_filters(lot_id: int | None, item_id: int | None, warehouse_id: int | None, kind: str | None,
                     since: dt.datetime | None, until: dt.datetime | None) -> list[ColumnElement[bool]]:
    """The conditions of the ledger's filters, shared by the page, the API and the files."""
    conditions: list[ColumnElement[bool]] = []
    if lot_id is not None:
        conditions.append(StockMovement.lot_id == lot_id)
    if item_id is not None:
        conditions.append(StockMovement.lot_id.in_(select(Lot.id).where(Lot.item_id == item_id)))
    if warehouse_id is not None:
        conditions.append((StockMovement.from_warehouse_id == warehouse_id)
                          | (StockMovement.to_warehouse_id == warehouse_id))
    if kind:
        conditions.append(StockMovement.type == kind)
    if since is not None:
        conditions.append(StockMovement.created_at >= since)
    if until is not None:
        conditions.append(StockMovement.created_at < until)
    return conditions


@dataclass(frozen=True)
class LedgerDifference:
    """A balance that does not equal what the ledger says."""

    lot_id: int
    warehouse_id: int
    balance: int
    ledger: int


def check_ledger() -> list[LedgerDifference]:
    """Recompute every balance from the ledger and list each difference (there must be none)."""
    inbound = select(StockMovement.lot_id.label("lot_id"), StockMovement.to_warehouse_id.label("wh"),
                     StockMovement.quantity.label("qty")).where(StockMovement.to_warehouse_id.is_not(None))
    outbound = select(StockMovement.lot_id, StockMovement.from_warehouse_id,
                      (literal(0) - StockMovement.quantity)).where(StockMovement.from_warehouse_id.is_not(None))
    flows = union_all(inbound, outbound).subquery()
    totals = select(flows.c.lot_id, flows.c.wh, func.sum(flows.c.qty).label("total")).group_by(
        flows.c.lot_id, flows.c.wh
    )
    ledger = {(row.lot_id, row.wh): int(row.total) for row in session().execute(totals)}
    stored = {(b.lot_id, b.warehouse_id): b.on_hand
              for b in session().execute(select(StockBalance.lot_id, StockBalance.warehouse_id, StockBalance.on_hand))}
    keys = set(ledger) | set(stored)
    return [
        LedgerDifference(lot, wh, stored.get((lot, wh), 0), ledger.get((lot, wh), 0))
        for lot, wh in sorted(keys)
        if stored.get((lot, wh), 0) != ledger.get((lot, wh), 0)
    ]


def lots_query(item_id: int | None = None, warehouse_id: int | None = None,
               status: QualityStatus | None = None) -> Select[Lot]:
    """Lots, earliest expiry first, filtered; by warehouse means lots that have a balance row there."""
    stmt = select(Lot).order_by(Lot.expiry_date, Lot.id)
    if item_id is not None:
        stmt = stmt.where(Lot.item_id == item_id)
    if status is not None:
        stmt = stmt.where(Lot.quality_status == status)
    if warehouse_id is not None:
        stmt = stmt.where(Lot.id.in_(select(StockBalance.lot_id).where(StockBalance.warehouse_id == warehouse_id)))
    return stmt


def status_events(lot_id: int) -> list[LotStatusEvent]:
    """A lot's quality history, oldest first."""
    stmt = select(LotStatusEvent).where(LotStatusEvent.lot_id == lot_id).order_by(LotStatusEvent.at,
                                                                                  LotStatusEvent.id)
    return list(session().scalars(stmt))


@dataclass(frozen=True)
class WarehouseStock:
    """One warehouse's stock, summed over its lots."""

    warehouse: Warehouse
    lots: int
    on_hand: int
    reserved: int


def stock_by_warehouse() -> list[WarehouseStock]:
    """Stock per warehouse, every warehouse listed (also the empty ones)."""
    stmt = (
        select(Warehouse, func.count(StockBalance.lot_id), func.coalesce(func.sum(StockBalance.on_hand), 0),
               func.coalesce(func.sum(StockBalance.reserved), 0))
        .outerjoin(StockBalance, and_(StockBalance.warehouse_id == Warehouse.id, StockBalance.on_hand > 0))
        .group_by(Warehouse.id)
        .order_by(Warehouse.code)
    )
    return [WarehouseStock(row[0], int(row[1]), int(row[2]), int(row[3])) for row in session().execute(stmt)]
