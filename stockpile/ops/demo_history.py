"""Demo demand history for `stockpile seed-demo`: two years of daily issues with waves, some items scarce.

Receipts and issues are written straight into the ledger with past dates (the services only book today), and
each lot's balance is set to what its movements leave, so `check_ledger()` finds no difference.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
from sqlalchemy import insert, select

from stockpile.db import LOCAL_ZONE, local_today, session
from stockpile.forecast.models import ExpectedDelivery
from stockpile.inventory.models import Lot, MovementType, QualityStatus, StockBalance, StockMovement
from stockpile.reference.models import Item, Warehouse

REFERENCE = "demo-history"
DAYS = 730
# Units per day on an ordinary weekday, per item code (others: 80).
BASE_RATE = {"FFP2-CUP": 1000, "FFP2-FOLD": 600, "FFP3-VALVE": 150, "MASK-IIR": 2500, "MASK-II": 1800,
             "GLOVE-NIT-M": 4000, "GLOVE-NIT-L": 3000, "GLOVE-NIT-S": 1500, "GOWN-ISO": 400, "DISINF-HAND": 300}
# Days of recent demand left in stock today: a few items are scarce, the rest comfortable (default 240).
COVER_DAYS = {"FFP2-CUP": 12, "GOWN-ISO": 30, "MASK-IIR": 55, "FFP3-VALVE": 80}
# item code, units, days from today
DELIVERIES = [("FFP2-CUP", 30_000, 28), ("GOWN-ISO", 6_000, 12), ("MASK-IIR", 40_000, 45)]


def seed_demand_history() -> int:
    """Write the demo history once; return how many movements were written (0 if it was there already)."""
    if session().scalar(select(StockMovement.id).where(StockMovement.reference == REFERENCE).limit(1)):
        return 0
    warehouse = session().scalar(select(Warehouse).where(Warehouse.code == "WH-ZEIST"))
    if warehouse is None:
        return 0
    rng = np.random.default_rng(2026)
    today = local_today()
    written = 0
    for item in session().scalars(select(Item).where(Item.active.is_(True)).order_by(Item.code)):
        written += _item_history(item, warehouse.id, daily_demand(item.code, rng), today)
    _deliveries(today)
    session().flush()
    return written


def daily_demand(code: str, rng: np.random.Generator) -> np.ndarray:
    """Two years of plausible daily demand: weekday pattern, two winter waves, a spring wave, Poisson noise."""
    t = np.arange(DAYS)
    base = BASE_RATE.get(code, 80)
    weekday = np.where((t % 7) >= 5, 0.45, 1.0)
    waves = 1 + 1.6 * np.exp(-(((t - 120) / 25) ** 2)) + 1.1 * np.exp(-(((t - 480) / 30) ** 2))
    waves += 0.5 * np.exp(-(((t - 690) / 20) ** 2))
    return rng.poisson(base * weekday * waves).astype(int)


def _item_history(item: Item, warehouse_id: int, demand: np.ndarray, today: dt.date) -> int:
    recent = float(demand[-28:].mean())
    left = math.ceil(COVER_DAYS.get(item.code, 240) * recent)
    first = today - dt.timedelta(days=DAYS)
    lot = _lot(item, f"DEMO-{item.code}-H", first, today + dt.timedelta(days=3 * 365))
    rows = [_movement(MovementType.RECEIPT, lot.id, None, warehouse_id, int(demand.sum()) + left, first)]
    rows += [_movement(MovementType.ISSUE, lot.id, warehouse_id, None, int(qty), first + dt.timedelta(days=i))
             for i, qty in enumerate(demand) if qty > 0]
    session().execute(insert(StockMovement), rows)
    session().add(StockBalance(lot_id=lot.id, warehouse_id=warehouse_id, item_id=item.id, on_hand=left))
    return len(rows)


def _lot(item: Item, number: str, received: dt.date, expiry: dt.date) -> Lot:
    lot = Lot(item_id=item.id, lot_number=number, supplier="Demo supplier", expiry_date=expiry,
              received_date=received, quality_status=QualityStatus.RELEASED)
    session().add(lot)
    session().flush()
    return lot


def _movement(kind: MovementType, lot_id: int, source: int | None, destination: int | None, quantity: int,
              day: dt.date) -> dict[str, object]:
    at = dt.datetime.combine(day, dt.time(11), LOCAL_ZONE).astimezone(dt.UTC)
    return {"type": kind, "lot_id": lot_id, "from_warehouse_id": source, "to_warehouse_id": destination,
            "quantity": quantity, "reason": "demo history", "reference": REFERENCE, "created_at": at}


def _deliveries(today: dt.date) -> None:
    items = {i.code: i.id for i in session().scalars(select(Item))}
    for code, quantity, days in DELIVERIES:
        if code in items:
            session().add(ExpectedDelivery(item_id=items[code], quantity=quantity, supplier="Demo supplier",
                                           expected_date=today + dt.timedelta(days=days), note="demo"))
