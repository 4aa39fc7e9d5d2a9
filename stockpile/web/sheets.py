"""Spreadsheet files out: one escape for every cell, CSV and XLSX written as a stream, and the download response.

Text that a spreadsheet would run as a formula (a cell starting with =, +, -, @, tab or carriage return) comes
from lot numbers, reasons, references, item names and imports: every exported cell passes `safe_cell`, which
prefixes such text with a single quote as OWASP's CSV-injection guidance describes, and CSV cells are all quoted,
so a separator inside a value (a comma, or the semicolon Dutch Excel splits on) cannot start a new cell.

Rows are consumed one at a time and never gathered: a CSV is sent in chunks while the rows are read, an XLSX is
built by openpyxl's write-only workbook (rows go to a temporary file as they come) and then sent in chunks.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from flask import Response, current_app, stream_with_context
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from stockpile import formats
from stockpile.errors import DomainError

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
MIMETYPES = {"csv": "text/csv",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
CHUNK = 64 * 1024
# Excel's last row; a longer export continues on a second sheet.
XLSX_MAX_ROWS = 1_048_576
# Characters XML 1.0 cannot carry at all (openpyxl refuses them); they are shown as U+FFFD in an XLSX.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Rows = Iterable[Sequence[Any]]


def safe_cell(value: Any) -> Any:
    """A value a spreadsheet shows as it is: text that would start a formula gets a leading single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_chunks(header: Sequence[str], rows: Rows, delimiter: str = ",") -> Iterator[str]:
    """A CSV file (every cell quoted and made safe) in chunks of about 64 KiB, read from the rows as it goes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        # csv writes None as an empty cell itself; numbers cannot start a formula; dates are written as ISO 8601.
        writer.writerow([safe_cell(value) if value.__class__ is str else
                         value.isoformat() if isinstance(value, dt.date) else value for value in row])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_chunks(title: str, header: Sequence[str], rows: Rows) -> Iterator[bytes]:
    """An XLSX workbook of one sheet (more past Excel's row limit), written row by row, then read back in chunks."""
    workbook = Workbook(write_only=True)
    sheet = _new_sheet(workbook, title, header, 1)
    written = 1
    for row in rows:
        if written == XLSX_MAX_ROWS:
            sheet = _new_sheet(workbook, title, header, len(workbook.worksheets) + 1)
            written = 1
        sheet.append([_xlsx_value(value) for value in row])
        written += 1
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
        out.seek(0)
        while chunk := out.read(CHUNK):
            yield chunk


def _new_sheet(workbook: Workbook, title: str, header: Sequence[str], number: int) -> WriteOnlyWorksheet:
    sheet = workbook.create_sheet(title[:28] if number == 1 else f"{title[:24]} ({number})")
    bold = Font(bold=True)
    cells = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=_xlsx_value(name))
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    sheet.freeze_panes = "A2"
    return sheet


def _xlsx_value(value: Any) -> Any:
    """A cell for openpyxl: safe text without XML-illegal characters, UTC times without their zone (Excel has none)."""
    if isinstance(value, str):
        return safe_cell(_XML_ILLEGAL.sub("\ufffd", value))
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


class ExportTooLarge(DomainError):
    """An XLSX export with more rows than a request may take to build."""

    status = 422
    code = "export_too_large"


def download(filename: str, fmt: str, header: Sequence[str], rows: Callable[[], Rows],
             delimiter: str = ",", count: Callable[[], int] | None = None) -> Response:
    """A streamed attachment; `rows` is called while streaming, inside the request, so it reads as it is sent.

    An XLSX is built whole before its first byte can be sent (a zip's directory comes last); `count`, where a file
    can grow without bound, refuses one longer than XLSX_EXPORT_MAX_ROWS before any work is done.
    """
    limit = int(current_app.config["XLSX_EXPORT_MAX_ROWS"])
    if fmt == "xlsx" and count is not None and (rows_wanted := count()) > limit:
        raise ExportTooLarge(_("%(n)s rows are more than an Excel file can be made of here (at most %(max)s). Narrow "
                               "the filters, or download the CSV, which has no such limit.",
                               n=formats.number(rows_wanted), max=formats.number(limit)))
    if fmt == "xlsx":
        body: Iterator[Any] = stream_with_context(xlsx_chunks(filename, header, _lazy(rows)))
    else:
        body = stream_with_context(csv_chunks(header, _lazy(rows), delimiter))
    response = Response(body, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f"attachment; filename={filename}.{fmt}"
    response.headers["Cache-Control"] = "no-store"
    return response


def _lazy(rows: Callable[[], Rows]) -> Iterator[Sequence[Any]]:
    yield from rows()
