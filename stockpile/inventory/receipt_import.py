"""A receipts file read and checked line by line, without the database: every problem of every line is kept.

What needs the database (codes, lots, earlier imports) is checked by `bulk_receipts` in the one short write
transaction that also books; reading and checking a long file here holds no lock.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import IO, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from marshmallow import Schema, ValidationError

from stockpile import formats
from stockpile.errors import DomainError
from stockpile.inventory.models import QualityStatus
from stockpile.inventory.schemas import ReceiptLineIn
from stockpile.web import uploads
from stockpile.web.input_guard import is_unstorable

# Each column of a receipts file: must it be there, and what goes in it (the import page and the template say so).
COLUMN_HELP: dict[str, tuple[bool, Any]] = {
    "item_code": (True, _l("The item's code, as in the catalogue.")),
    "lot_number": (True, _l("The lot number on the pallet label (at most 64 characters).")),
    "supplier": (True, _l("The supplier's name.")),
    "expiry_date": (True, _l("Expiry date: YYYY-MM-DD or DD-MM-YYYY.")),
    "manufacture_date": (False, _l("Manufacture date, if known: YYYY-MM-DD or DD-MM-YYYY.")),
    "quality_status": (False, _l("quarantine (when empty), released or blocked.")),
    "warehouse_code": (True, _l("The code of the receiving warehouse.")),
    "quantity": (True, _l("Units received: a whole number from 1.")),
    "reason": (True, _l("Why it is booked, e.g. the delivery.")),
    "reference": (False, _l("Order or delivery-note number (at most 120 characters).")),
}
IMPORT_COLUMNS = list(COLUMN_HELP)
REQUIRED_COLUMNS = [name for name, (required, _help) in COLUMN_HELP.items() if required]
DATE_COLUMNS = ("expiry_date", "manufacture_date")
DUTCH_DATE = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})")


@dataclass(frozen=True)
class RowError:
    """What is wrong in one line of an uploaded file."""

    row: int
    field: str
    message: str

    def sort_key(self) -> tuple[int, int]:
        return self.row, IMPORT_COLUMNS.index(self.field) if self.field in IMPORT_COLUMNS else -1


class ImportRefused(DomainError):
    """An import with at least one problem; nothing of it was booked."""

    status = 422
    code = "invalid_input"

    def __init__(self, rows: list[RowError]) -> None:
        super().__init__(ngettext("Nothing was imported: %(num)d problem in the file.",
                                  "Nothing was imported: %(num)d problems in the file.", len(rows)))
        self.rows = sorted(rows, key=RowError.sort_key)


@dataclass(frozen=True)
class ReceiptLine:
    """A line that passed every check that needs no database."""

    line: int
    item_code: str
    warehouse_code: str
    lot_number: str
    supplier: str
    expiry_date: dt.date
    manufacture_date: dt.date | None
    quality_status: QualityStatus
    quantity: int
    reason: str
    reference: str

    @property
    def lot_key(self) -> tuple[str, str, str]:
        return self.item_code, self.supplier, self.lot_number

    @cached_property
    def fingerprint(self) -> str:
        """The same values in every column give the same fingerprint: the same row, wherever it comes from."""
        values = (self.item_code, self.lot_number, self.supplier, self.expiry_date.isoformat(),
                  self.manufacture_date.isoformat() if self.manufacture_date else "", self.quality_status.value,
                  self.warehouse_code, str(self.quantity), self.reason, self.reference)
        return hashlib.sha256("\x1f".join(values).encode()).hexdigest()


@dataclass
class ReadFile:
    """A file read and checked without the database: its good lines, every problem, and the codes of all lines."""

    sha256: str
    receipts: list[ReceiptLine] = field(default_factory=list)
    problems: list[RowError] = field(default_factory=list)
    codes: list[tuple[int, str, str]] = field(default_factory=list)


def read_receipts(stream: IO[bytes], max_rows: int) -> ReadFile:
    """Read a CSV or XLSX of receipts line by line; raise ImportRefused for a missing column or too many lines."""
    sheet = uploads.open_sheet(stream, IMPORT_COLUMNS)
    _check_header(sheet.columns)
    read = ReadFile(sheet.sha256)
    first_line_of: dict[str, int] = {}
    schema = ReceiptLineIn()
    for count, line in enumerate(sheet.lines, start=1):
        if count > max_rows:
            raise ImportRefused([RowError(line.number, "row", _(
                "The file holds more than %(n)s receipts; split it into files of at most %(n)s lines.",
                n=formats.number(max_rows)))])
        receipt, problems = check_line(line, schema)
        read.codes.append((line.number, _text(line.cells.get("item_code")).upper(),
                           _text(line.cells.get("warehouse_code")).upper()))
        if receipt is not None and receipt.fingerprint in first_line_of:
            problems.append(RowError(line.number, "row", _("The same as line %(line)d.",
                                                           line=first_line_of[receipt.fingerprint])))
        elif receipt is not None:
            first_line_of[receipt.fingerprint] = line.number
        read.problems += problems
        if receipt is not None and not problems:
            read.receipts.append(receipt)
    return read


def _check_header(columns: list[str]) -> None:
    problems = [RowError(1, name, _("Missing column.")) for name in REQUIRED_COLUMNS if name not in columns]
    problems += [RowError(1, name, _("This column appears more than once."))
                 for name in IMPORT_COLUMNS if columns.count(name) > 1]
    if problems:
        raise ImportRefused(problems)


def check_line(line: uploads.SheetLine, schema: Schema) -> tuple[ReceiptLine | None, list[RowError]]:
    """One line through the API's field validation; every problem of the line, not only the first."""
    problems = [RowError(line.number, column, message) for column, message in line.problems]
    if any(problem.field == "row" for problem in problems):
        return None, problems  # the line could not be read: its cells are not known
    values: dict[str, Any] = {}
    for name, cell in line.cells.items():
        if name not in COLUMN_HELP:
            continue
        text = _date_text(cell) if name in DATE_COLUMNS else _text(cell)
        if is_unstorable(text):
            problems.append(RowError(line.number, name, _("Text may not contain NUL characters or broken Unicode.")))
        elif text:
            values[name] = text
    unreadable = {problem.field for problem in problems}
    try:
        data = schema.load({k: v for k, v in values.items() if k not in unreadable})
    except ValidationError as error:
        problems += [RowError(line.number, name, message) for name, messages in _messages(error).items()
                     if name not in unreadable for message in messages]
        return None, problems
    return (None if problems else _receipt(line.number, data)), problems


def _receipt(number: int, data: dict[str, Any]) -> ReceiptLine:
    return ReceiptLine(
        line=number, item_code=data["item_code"].upper(), warehouse_code=data["warehouse_code"].upper(),
        lot_number=data["lot_number"], supplier=data["supplier"], expiry_date=data["expiry_date"],
        manufacture_date=data.get("manufacture_date"),
        quality_status=data.get("quality_status") or QualityStatus.QUARANTINE, quantity=data["quantity"],
        reason=data["reason"], reference=data.get("reference") or "",
    )


def _messages(error: ValidationError) -> dict[str, list[str]]:
    messages = error.messages if isinstance(error.messages, dict) else {"row": error.messages}
    return {str(name): [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])] for name, msgs in
            messages.items()}


def _text(cell: uploads.Cell) -> str:
    """A cell as text: a number typed into Excel (a lot number, a quantity) reads as it was typed."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime | dt.date):
        return cell.isoformat()
    return str(cell).strip()


def _date_text(cell: uploads.Cell) -> str:
    """A date cell as YYYY-MM-DD: Excel's dates, ISO text, and the Dutch DD-MM-YYYY that Dutch Excel writes."""
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat()
    text = _text(cell)
    if match := DUTCH_DATE.fullmatch(text):
        day, month, year = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return text


def lines_of(rows: list[RowError]) -> Iterator[tuple[int, list[RowError]]]:
    """Problems grouped by line, in line order, for the page's table."""
    current: list[RowError] = []
    for row in rows:
        if current and row.row != current[0].row:
            yield current[0].row, current
            current = []
        current.append(row)
    if current:
        yield current[0].row, current
