"""Spreadsheet files in: the lines of an uploaded CSV or XLSX file, read one at a time, never the whole file.

A CSV may be separated by commas or by semicolons (what Dutch Excel writes) and encoded as UTF-8 (with or without
a byte-order mark) or, as Excel's plain "CSV" is on Dutch Windows, as Windows-1252. An XLSX is read from its
first sheet with openpyxl's read-only mode. Column names are matched without regard to case, spaces or dashes.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import IO, Any

from flask_babel import gettext as _
from openpyxl import load_workbook

from stockpile.errors import DomainError

# A cell may hold at most this much text: Python's csv module refuses a longer field while reading it (its own
# default limit is the same 128 KiB), and an XLSX cell is checked against it here.
MAX_CELL_CHARS = 128 * 1024
DELIMITERS = (",", ";", "\t")
XLSX_MAGIC = b"PK\x03\x04"
# Excel 97-2003 (.xls) files are OLE compound documents.
XLS_MAGIC = b"\xd0\xcf\x11\xe0"
READ_CHUNK = 1 << 16
# openpyxl reports a damaged or foreign file with many kinds of error (zip, XML, key, value); each means the same.
XLSX_DAMAGE = (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError, TypeError, SyntaxError)

Cell = str | int | float | dt.datetime | dt.date | None


class UnreadableFile(DomainError):
    """A file that is not a spreadsheet this service can read, or that lacks a header line."""

    status = 422
    code = "invalid_input"


@dataclass
class SheetLine:
    """One line of the file: its number as the spreadsheet shows it, its cells by column, what could not be read."""

    number: int
    cells: dict[str, Cell]
    problems: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Sheet:
    """An opened file: its column names (normalised), its lines as an iterator, and the file's SHA-256."""

    columns: list[str]
    lines: Iterator[SheetLine]
    sha256: str


def column_name(text: object) -> str:
    """A header as a column name: 'Item code', 'item-code' and 'ITEM_CODE' are all 'item_code'."""
    return "_".join(str(text or "").strip().lower().replace("-", " ").split())


def open_sheet(stream: IO[bytes], known_columns: Sequence[str]) -> Sheet:
    """Open an uploaded CSV or XLSX (told apart by their first bytes, not by the file's name)."""
    digest, head = _digest(stream)
    if head.startswith(XLS_MAGIC):
        raise UnreadableFile(_("This is an old Excel file (XLS). Save it as XLSX or CSV and try again."))
    if head.startswith(XLSX_MAGIC):
        columns, lines = _open_xlsx(stream)
    else:
        columns, lines = _open_csv(stream, known_columns)
    return Sheet(columns, lines, digest)


def _digest(stream: IO[bytes]) -> tuple[str, bytes]:
    """The SHA-256 of the whole file and its first bytes, read in chunks; the stream is rewound."""
    sha = hashlib.sha256()
    head = b""
    while chunk := stream.read(READ_CHUNK):
        head = head or chunk[:8]
        sha.update(chunk)
    stream.seek(0)
    return sha.hexdigest(), head


def _open_csv(stream: IO[bytes], known_columns: Sequence[str]) -> tuple[list[str], Iterator[SheetLine]]:
    text = io.TextIOWrapper(stream, encoding=_encoding(stream), newline="")
    first = text.readline()
    if not first.strip():
        raise UnreadableFile(_("The file is empty: the first line should name the columns."))
    delimiter = _delimiter(first, known_columns)
    reader = csv.reader(chain([first], text), delimiter=delimiter)
    columns = [column_name(name) for name in next(reader)]
    return columns, _csv_lines(reader, columns)


def _encoding(stream: IO[bytes]) -> str:
    """UTF-8 when every byte decodes as UTF-8, else Windows-1252; checked in chunks, the stream rewound."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(READ_CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "cp1252"
    stream.seek(0)
    return encoding


def _delimiter(header: str, known_columns: Sequence[str]) -> str:
    """The separator that splits the header into the most known column names (then: into the most columns)."""

    def score(delimiter: str) -> tuple[int, int]:
        names = [column_name(name) for name in next(csv.reader([header], delimiter=delimiter))]
        return sum(name in known_columns for name in names), len(names)

    return max(DELIMITERS, key=score)


def _csv_lines(reader: Any, columns: list[str]) -> Iterator[SheetLine]:
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield SheetLine(reader.line_num, {}, [("row", _unreadable_line(error))])
            continue
        if any(value.strip() for value in values):
            yield _line(reader.line_num, columns, values)


def _unreadable_line(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return str(_("A cell holds more than 128 KiB of text."))
    return str(_("This line cannot be read: %(error)s.", error=str(error)))


def _line(number: int, columns: list[str], values: Iterable[Cell]) -> SheetLine:
    line = SheetLine(number, {})
    for name, value in zip(columns, values, strict=False):
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            line.problems.append((name, _("A cell holds more than 128 KiB of text.")))
            value = None
        if name and name not in line.cells:
            line.cells[name] = value
    return line


def _open_xlsx(stream: IO[bytes]) -> tuple[list[str], Iterator[SheetLine]]:
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        # The size a file declares is not trusted: it could pad every row to 16,384 empty cells, and without one
        # openpyxl would read the whole sheet an extra time to find it.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
    except XLSX_DAMAGE as error:
        raise UnreadableFile(_("The file cannot be read as XLSX (%(error)s). Save it as XLSX or CSV and try "
                               "again.", error=type(error).__name__)) from None
    if header is None or not any(header):
        raise UnreadableFile(_("The file is empty: the first line should name the columns."))
    columns = [column_name(name) for name in header]
    return columns, _xlsx_lines(workbook, rows, columns)


def _xlsx_lines(workbook: Any, rows: Iterator[tuple[Cell, ...]], columns: list[str]) -> Iterator[SheetLine]:
    number = 1
    try:
        for number, values in enumerate(rows, start=2):
            if any(value is not None and str(value).strip() for value in values):
                yield _line(number, columns, values)
    except XLSX_DAMAGE as error:
        yield SheetLine(number + 1, {}, [("row", _("The file cannot be read from here on (%(error)s).",
                                                   error=type(error).__name__))])
    finally:
        workbook.close()
