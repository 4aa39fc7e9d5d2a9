"""CSV in and out: the stock overview and ledger as files, and a bulk receipt import that books all rows or none."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from stockpile.db import session
from stockpile.errors import DomainError, FieldErrors
from stockpile.inventory import services
from stockpile.inventory.models import QualityStatus, StockMovement
from stockpile.inventory.queries import ItemStock
from stockpile.reference.models import Item, Warehouse

STOCK_COLUMNS = ["item_code", "item_name", "unit", "on_hand", "reserved", "usable", "unusable", "free",
                 "first_expiry", "days_until_first_expiry"]
LEDGER_COLUMNS = ["id", "created_at_utc", "type", "item_code", "lot_number", "from_warehouse", "to_warehouse",
                  "quantity", "reason", "reference", "reverses_id"]
# The services name ids; the file names codes.
COLUMN_OF_FIELD = {"item_id": "item_code", "warehouse_id": "warehouse_code"}
IMPORT_COLUMNS = ["item_code", "lot_number", "supplier", "expiry_date", "manufacture_date", "quality_status",
                  "warehouse_code", "quantity", "reason", "reference"]


def csv_lines(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """A CSV file as lines, so a long ledger streams instead of filling memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in [header, *rows] if isinstance(rows, list) else _prepend(header, rows):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _prepend(header: list[str], rows: Iterable[list[Any]]) -> Iterator[list[Any]]:
    yield header
    yield from rows


def stock_rows(stock: list[ItemStock], today: dt.date) -> list[list[Any]]:
    """The stock overview as CSV rows."""
    return [[s.code, s.name, s.unit, s.on_hand, s.reserved, s.usable, s.unusable, s.free,
             s.first_expiry.isoformat() if s.first_expiry else "", s.days_until_first_expiry(today) or ""]
            for s in stock]


def ledger_rows(movements: Iterable[StockMovement]) -> Iterator[list[Any]]:
    """Ledger lines as CSV rows, times in UTC ISO 8601 so spreadsheets and scripts agree."""
    for m in movements:
        yield [m.id, m.created_at.isoformat(), m.type.value, m.lot.item.code, m.lot.lot_number,
               m.from_warehouse.code if m.from_warehouse else "", m.to_warehouse.code if m.to_warehouse else "",
               m.quantity, m.reason, m.reference, m.reverses_id or ""]


@dataclass(frozen=True)
class RowError:
    """What is wrong in one line of an uploaded file."""

    row: int
    field: str
    message: str


class ImportRefused(DomainError):
    """An import with at least one bad row; nothing of it was booked."""

    status = 422
    code = "invalid_input"

    def __init__(self, rows: list[RowError]) -> None:
        super().__init__(ngettext("Nothing was imported: %(num)d problem in the file.",
                                  "Nothing was imported: %(num)d problems in the file.", len(rows)))
        self.rows = rows


def import_receipts(text: str, user_id: int | None) -> list[StockMovement]:
    """Book one receipt per CSV line, or raise ImportRefused listing every bad line (booking none)."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in IMPORT_COLUMNS if c not in (reader.fieldnames or []) and c not in ("manufacture_date",
                                                                                            "reference")]
    if missing:
        raise ImportRefused([RowError(1, name, _("Missing column.")) for name in missing])
    problems: list[RowError] = []
    booked: list[StockMovement] = []
    # Line 1 is the header, so the first receipt is on line 2, as a spreadsheet numbers it.
    for line, row in enumerate(reader, start=2):
        try:
            with session().begin_nested():
                booked.append(services.receive(**_receipt_args(row), user_id=user_id))
        except DomainError as error:
            problems += [RowError(line, COLUMN_OF_FIELD.get(field, field), message) for field, messages in
                         (error.errors or {"row": [error.message]}).items() for message in messages]
    if problems:
        raise ImportRefused(problems)
    if not booked:
        raise ImportRefused([RowError(2, "row", _("The file holds no receipts."))])
    return booked


def _receipt_args(row: dict[str, str]) -> dict[str, Any]:
    """One CSV line as arguments of services.receive; a value that cannot be read names its column."""
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    def date(name: str, required: bool = True) -> dt.date | None:
        if not cell(name) and not required:
            return None
        try:
            return dt.date.fromisoformat(cell(name))
        except ValueError:
            raise FieldErrors.one(name, _("Write the date as YYYY-MM-DD.")) from None

    item = session().scalar(select(Item).where(Item.code == cell("item_code").upper()))
    if item is None:
        raise FieldErrors.one("item_code", _("Unknown item code %(code)s.", code=cell("item_code")))
    warehouse = session().scalar(select(Warehouse).where(Warehouse.code == cell("warehouse_code").upper()))
    if warehouse is None:
        raise FieldErrors.one("warehouse_code", _("Unknown warehouse code %(code)s.", code=cell("warehouse_code")))
    try:
        quantity: object = int(cell("quantity"))
    except ValueError:
        quantity = cell("quantity")
    try:
        status = QualityStatus(cell("quality_status") or "quarantine")
    except ValueError:
        raise FieldErrors.one("quality_status", _("Unknown quality status.")) from None
    return {"item_id": item.id, "lot_number": cell("lot_number"), "supplier": cell("supplier"),
            "expiry_date": date("expiry_date"), "manufacture_date": date("manufacture_date", required=False),
            "quality_status": status, "warehouse_id": warehouse.id, "quantity": quantity,
            "reason": cell("reason"), "reference": cell("reference")}
