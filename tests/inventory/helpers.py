"""Arranging stock for inventory tests."""

from __future__ import annotations

import datetime as dt
import itertools

from stockpile.db import local_today
from stockpile.inventory import services
from stockpile.inventory.models import Lot, QualityStatus, StockMovement

_lots = itertools.count(1)


def receive(item, warehouse, quantity=100, *, status=QualityStatus.RELEASED, expiry_days=365, lot_number=None,
            user_id=None, **kw) -> StockMovement:
    """Book a receipt of a fresh (released by default) lot."""
    return services.receive(
        item_id=item.id, lot_number=lot_number or f"L-{next(_lots):04d}", supplier=kw.pop("supplier", "Acme"),
        expiry_date=local_today() + dt.timedelta(days=expiry_days), warehouse_id=warehouse.id, quantity=quantity,
        reason="delivery", user_id=user_id, quality_status=status, **kw,
    )


def lot_of(movement: StockMovement) -> Lot:
    return movement.lot
