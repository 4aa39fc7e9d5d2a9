"""Rotation advice: lots that will expire before the forecast demand uses them, and where they would be used in time.

A lot has projected waste when the item's projection (national demand, first-expiry-first) leaves units of it past
its last pick day. Demand is not national in fact but regional: a region that burns the item fast would use them in
time if they were in its warehouse. So for each warehouse that holds free units of such a lot, the advice names
the region with the highest burn (units asked on request lines in the last BURN_DAYS days, per day) above the
holding warehouse's own region, an active warehouse there, and its essential process that asked most:

* units to move = min(free units here, what that region burns before the lot's last pick day);
* units saved = min(units to move, the lot's projected waste not yet covered by advice for another warehouse).

Taking the advice books the transfer (logistics) and records it (`rotation_transfers`); a lot once rotated is not
advised again.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from stockpile import audit
from stockpile.db import local_today, session
from stockpile.errors import Conflict
from stockpile.forecast.demand import request_demand
from stockpile.forecast.outlook import LotWaste, projected_waste_by_lot
from stockpile.insight.models import RotationTransfer
from stockpile.inventory import services as inventory
from stockpile.inventory.models import Lot, QualityStatus, StockBalance
from stockpile.reference.models import EssentialProcess, Item, Region, Warehouse
from stockpile.requests.models import RequestLine, SupplyRequest

BURN_DAYS = 28


@dataclass(frozen=True)
class RotationAdvice:
    """Move units of one lot from one warehouse to a region that would use them before their last pick day."""

    lot_id: int
    lot_number: str
    item_id: int
    item_code: str
    last_pick_day: dt.date
    from_warehouse_id: int
    from_warehouse_code: str
    from_region_code: str
    free_here: int
    projected_waste: int
    to_region_code: str
    to_warehouse_id: int
    to_warehouse_code: str
    burn_per_day: float  # the destination region's, units a day
    burn_here_per_day: float
    process_code: str  # the destination region's process that asked most for the item ("" if none)
    quantity: int
    units_saved: int


def regional_burn(today: dt.date) -> dict[int, dict[int, float]]:
    """Per item and region, units asked a day on request lines in the last BURN_DAYS days."""
    burn: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for row in request_demand(today - dt.timedelta(days=BURN_DAYS)):
        if row.region_id is not None and row.day <= today:
            burn[row.item_id][row.region_id] += row.quantity / BURN_DAYS
    return burn


def rotation_advice(today: dt.date | None = None) -> list[RotationAdvice]:
    """Every piece of advice as of now, most units saved first."""
    today = today or local_today()
    items = session().scalars(select(Item).where(Item.active.is_(True))).all()
    waste = {lot_id: w for lot_id, w in projected_waste_by_lot([item.id for item in items]).items() if w.waste >= 1}
    taken = set(session().scalars(select(RotationTransfer.lot_id).where(RotationTransfer.lot_id.in_(list(waste)))))
    waste = {lot_id: w for lot_id, w in waste.items() if lot_id not in taken}
    if not waste:
        return []
    burn = regional_burn(today)
    depots = _warehouses_by_region()
    advice: list[RotationAdvice] = []
    for (lot, holdings) in _holdings(list(waste)):
        left = math.floor(waste[lot.id].waste)
        days_left = (waste[lot.id].last_pick_day - today).days + 1
        for balance, warehouse in sorted(holdings, key=lambda h: burn[lot.item_id].get(h[1].region_id, 0.0)):
            if left <= 0:
                break
            made = _advise(lot, balance, warehouse, burn[lot.item_id], depots, waste[lot.id], days_left, left)
            if made is not None:
                advice.append(made)
                left -= made.units_saved
    return sorted(advice, key=lambda a: (-a.units_saved, a.item_code, a.lot_number))


def _advise(lot: Lot, balance: StockBalance, warehouse: Warehouse, burn: dict[int, float],
            depots: dict[int, Warehouse], waste: LotWaste, days_left: int, left: int) -> RotationAdvice | None:
    here = burn.get(warehouse.region_id, 0.0)
    free = balance.on_hand - balance.reserved
    candidates = [(rate, region_id) for region_id, rate in burn.items()
                  if region_id != warehouse.region_id and rate > here and region_id in depots]
    if free <= 0 or not candidates or days_left <= 0:
        return None
    rate, region_id = max(candidates)
    quantity = min(free, math.floor(rate * days_left))
    saved = min(quantity, left)
    if saved <= 0:
        return None
    depot = depots[region_id]
    return RotationAdvice(lot.id, lot.lot_number, lot.item_id, waste.item_code, waste.last_pick_day,
                          warehouse.id, warehouse.code, warehouse.region.code, free, math.floor(waste.waste),
                          depot.region.code, depot.id, depot.code, rate, here,
                          _top_process(lot.item_id, region_id), quantity, saved)


def _holdings(lot_ids: list[int]) -> list[tuple[Lot, list[tuple[StockBalance, Warehouse]]]]:
    rows = session().execute(
        select(Lot, StockBalance, Warehouse).join(StockBalance, StockBalance.lot_id == Lot.id)
        .join(Warehouse, Warehouse.id == StockBalance.warehouse_id)
        .where(Lot.id.in_(lot_ids), Lot.quality_status == QualityStatus.RELEASED, Warehouse.active.is_(True),
               StockBalance.on_hand > StockBalance.reserved)
        .order_by(Lot.id, Warehouse.code)).all()
    grouped: dict[int, tuple[Lot, list[tuple[StockBalance, Warehouse]]]] = {}
    for lot, balance, warehouse in rows:
        grouped.setdefault(lot.id, (lot, []))[1].append((balance, warehouse))
    return list(grouped.values())


def _warehouses_by_region() -> dict[int, Warehouse]:
    """Each region's first active warehouse (by code): where rotated stock goes."""
    depots: dict[int, Warehouse] = {}
    for warehouse in session().scalars(select(Warehouse).join(Region).where(Warehouse.active.is_(True))
                                       .order_by(Warehouse.code)):
        depots.setdefault(warehouse.region_id, warehouse)
    return depots


def _top_process(item_id: int, region_id: int) -> str:
    row = session().execute(
        select(EssentialProcess.code).join(SupplyRequest, SupplyRequest.essential_process_id == EssentialProcess.id)
        .join(RequestLine, RequestLine.request_id == SupplyRequest.id)
        .where(RequestLine.item_id == item_id, SupplyRequest.region_id == region_id)
        .group_by(EssentialProcess.code)
        .order_by(func.sum(RequestLine.quantity_requested).desc(), EssentialProcess.code).limit(1)).first()
    return str(row[0]) if row else ""


def take_advice(lot_id: int, from_warehouse_id: int, user_id: int) -> RotationTransfer:
    """Book the advised transfer for a lot in a warehouse, as the advice stands now, and record it as taken."""
    advice = next((a for a in rotation_advice() if a.lot_id == lot_id and a.from_warehouse_id == from_warehouse_id),
                  None)
    if advice is None:
        raise Conflict(_("There is no rotation advice for this lot in this warehouse any more; reload the page."))
    reason = _("Rotation: %(units)s units would expire unused; %(region)s uses them in time.",
               units=advice.units_saved, region=advice.to_region_code)
    movement = inventory.transfer(lot_id=lot_id, warehouse_id=from_warehouse_id,
                                  to_warehouse_id=advice.to_warehouse_id, quantity=advice.quantity, reason=reason,
                                  user_id=user_id, reference=f"rotation {advice.lot_number}")
    taken = RotationTransfer(lot_id=lot_id, from_warehouse_id=from_warehouse_id,
                             to_warehouse_id=advice.to_warehouse_id, quantity=advice.quantity,
                             units_saved=advice.units_saved, movement_id=movement.id, user_id=user_id)
    session().add(taken)
    session().flush()
    audit.record(user_id, "rotation.take", taken, lot=advice.lot_number, quantity=advice.quantity,
                 units_saved=advice.units_saved, to=advice.to_warehouse_code)
    return taken
