"""The one small stockpile the inventory and request tests start from (the `stock` fixture in conftest)."""

from __future__ import annotations

from dataclasses import dataclass

from stockpile.inventory.models import Lot
from stockpile.reference.models import EssentialProcess, Item, Warehouse
from tests import factories
from tests.inventory.helpers import receive

UNITS = 500  # of each item, released


@dataclass(frozen=True)
class Stock:
    """500 FFP2 masks in lot L-2291 at WH-ZEIST (a year to expiry), 500 gloves (two), an empty WH-TILBURG, a process."""

    item: Item
    gloves: Item
    zeist: Warehouse
    tilburg: Warehouse
    lot: Lot
    process: EssentialProcess


def arrange_stock() -> Stock:
    """Flush the stock of `Stock`'s docstring; nothing is committed."""
    item, gloves = factories.item(code="FFP2"), factories.item(code="GLOVE", en_standard="EN 455")
    zeist, tilburg = factories.warehouse(code="WH-ZEIST"), factories.warehouse(code="WH-TILBURG")
    lot = receive(item, zeist, UNITS, lot_number="L-2291").lot
    receive(gloves, zeist, UNITS, lot_number="L-3300", expiry_days=730)
    return Stock(item, gloves, zeist, tilburg, lot, factories.process(tier=1, code="CARE"))
