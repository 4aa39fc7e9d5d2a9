"""The inventory's files: stock, ledger and expiring stock as rows with machine-readable column names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select

from stockpile.db import session
from stockpile.inventory.queries import ItemStock, StockLine

STOCK_COLUMNS = ["item_code", "item_name", "unit", "on_hand", "reserved", "usable", "unusable", "free",
                 "first_expiry", "days_until_first_expiry"]
LEDGER_COLUMNS = ["id", "created_at_utc", "type", "item_code", "lot_number", "from_warehouse", "to_warehouse",
                  "quantity", "reason", "reference", "reverses_id"]
EXPIRING_COLUMNS = ["item_code", "item_name", "lot_number", "supplier", "warehouse", "quality_status",
                    "expiry_date", "days_until_expiry", "on_hand", "reserved", "free"]
# Rows fetched from the database cursor at a time: the export holds this many, never the whole ledger.
LEDGER_BATCH = 2000


def stock_rows(stock: list[ItemStock], today: dt.date) -> Iterator[list[Any]]:
    """The stock overview, one row per item."""
    for s in stock:
        yield [s.code, s.name, s.unit, s.on_hand, s.reserved, s.usable, s.unusable, s.free, s.first_expiry,
               s.days_until_first_expiry(today)]


def ledger_rows(lines: Select[*tuple[Any, ...]]) -> Iterator[list[Any]]:
    """Ledger lines (from queries.ledger_lines) streamed from a server-side cursor; times in UTC."""
    result = session().execute(lines, execution_options={"yield_per": LEDGER_BATCH})
    for row in result:
        yield [row[0], row[1], row[2].value, *row[3:10], row[10]]


def expiring_rows(lines: list[StockLine], today: dt.date) -> Iterator[list[Any]]:
    """Stock that expires soon, lot by lot and warehouse by warehouse."""
    for line in lines:
        lot = line.lot
        yield [lot.item.code, lot.item.name, lot.lot_number, lot.supplier, line.warehouse.code,
               lot.quality_status.value, lot.expiry_date, (lot.expiry_date - today).days, line.on_hand,
               line.reserved, line.free]
