"""Importing receipts from CSV (comma or semicolon, UTF-8 or Windows-1252) and XLSX files: all lines or none,
every problem of every line listed, nothing booked twice, and the file never a 500."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from stockpile.audit import AuditEvent
from stockpile.db import local_today
from stockpile.inventory import queries
from stockpile.inventory.models import Lot, LotStatusEvent, QualityStatus, StockBalance, StockMovement

HEADER = ["item_code", "lot_number", "supplier", "expiry_date", "manufacture_date", "quality_status",
          "warehouse_code", "quantity", "reason", "reference"]
EXPIRY = local_today() + dt.timedelta(days=300)


def csv_file(rows, delimiter=",", header=HEADER, encoding="utf-8") -> bytes:
    lines = [delimiter.join(header), *(delimiter.join(str(v) for v in row) for row in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_file(rows, header=HEADER) -> bytes:
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, data: bytes, name="receipts.csv"):
    return client.post("/inventory/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def problems(response) -> list[tuple[int, str, str]]:
    """The page's problem table as (line, column, message), the line carried over its rowspan."""
    table = re.search(r'<table class="row-errors".*?</table>', response.get_data(as_text=True), re.S)
    assert table is not None, "no problem table on the page"
    found, line = [], None
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(0), re.S):
        if number := re.search(r'<th scope="row"[^>]*>(\d+)</th>', row):
            line = int(number.group(1))
        cells = [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        if cells:
            found.append((line, cells[0], cells[1]))
    return found


def english_date(day: dt.date) -> str:
    """A date as the English pages write it (Dec 2, 2026)."""
    return f"{day:%b} {day.day}, {day.year}"


def counts(db):
    return (db.scalar(select(func.count()).select_from(StockMovement)),
            db.scalar(select(func.count()).select_from(Lot)),
            db.scalar(select(func.coalesce(func.sum(StockBalance.on_hand), 0))))


def line(item_code="FFP2", lot="L-A", supplier="Acme", expiry=None, manufactured="", status="released",
         warehouse="WH-ZEIST", quantity="10", reason="delivery", reference="PO-1"):
    return [item_code, lot, supplier, expiry or EXPIRY.isoformat(), manufactured, status, warehouse, quantity,
            reason, reference]


def test_a_comma_csv_books_every_line_new_lots_and_a_known_one(as_role, db, stock) -> None:
    known = stock.lot
    movements, lots, units = counts(db)
    audits = db.scalar(select(func.count()).select_from(AuditEvent))
    data = csv_file([line(lot="L-A", quantity="10"), line(lot="L-B", quantity="20", status=""),
                     line(lot="L-2291", expiry=known.expiry_date.isoformat(), quantity="5")])
    response = upload(as_role("logistics"), data)
    assert response.status_code == 302
    assert counts(db) == (movements + 3, lots + 2, units + 35)
    new = {lot.lot_number: lot for lot in db.scalars(select(Lot).where(Lot.lot_number.in_(["L-A", "L-B"])))}
    assert (new["L-A"].quality_status, new["L-B"].quality_status) == (QualityStatus.RELEASED,
                                                                       QualityStatus.QUARANTINE)
    assert db.scalar(select(StockBalance.on_hand).where(StockBalance.lot_id == known.id)) == 505
    events = db.scalars(select(LotStatusEvent.to_status).where(LotStatusEvent.lot_id == new["L-B"].id)).all()
    assert events == [QualityStatus.QUARANTINE]
    actions = db.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(4)).all()
    assert sorted(actions) == ["inventory.import", "movement.receipt", "movement.receipt", "movement.receipt"]
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == audits + 4
    assert queries.check_ledger() == []


def test_a_semicolon_file_from_dutch_excel_in_windows_1252_with_dutch_dates(as_role, db, stock) -> None:
    data = csv_file([line(lot="L-NL", supplier="Café Müller", expiry="31-12-2031", manufactured="1-2-2026")],
                    delimiter=";", encoding="cp1252")
    response = upload(as_role("logistics"), data)
    assert response.status_code == 302, problems(response)
    lot = db.scalar(select(Lot).where(Lot.lot_number == "L-NL"))
    assert (lot.supplier, lot.expiry_date, lot.manufacture_date) == ("Café Müller", dt.date(2031, 12, 31),
                                                                     dt.date(2026, 2, 1))


def test_an_xlsx_file_with_numbers_and_dates_typed_into_excel(as_role, db, stock) -> None:
    header = ["Item code", "Lot number", "Supplier", "Expiry date", "Quality status", "Warehouse code", "Quantity",
              "Reason"]
    expiry = dt.datetime(2031, 6, 30)
    data = xlsx_file([["FFP2", 123456, "Acme", expiry, "released", "WH-ZEIST", 12, "delivery"],
                      ["FFP2", "L-X", "Acme", expiry, None, "WH-ZEIST", 8.0, "delivery"],
                      [None, None, None, None, None, None, None, None]], header=header)
    response = upload(as_role("logistics"), data, name="ontvangsten.xlsx")
    assert response.status_code == 302, problems(response)
    lots = {lot.lot_number: lot for lot in db.scalars(select(Lot).where(Lot.lot_number.in_(["123456", "L-X"])))}
    assert sorted(lots) == ["123456", "L-X"]
    assert lots["123456"].expiry_date == dt.date(2031, 6, 30)


def test_every_problem_of_every_line_is_listed_and_nothing_is_booked(as_role, db, stock) -> None:
    data = csv_file([
        line(lot="L" * 65, expiry="2031-13-01", quantity="1.5"),
        line(item_code="NOPE", warehouse="WH-NONE", reason=""),
        line(lot="L-GOOD"),
        line(supplier="Ac\x00me", status="broken"),
    ])
    before = counts(db)
    response = upload(as_role("logistics"), data)
    assert response.status_code == 422
    assert "Nothing was imported: 8 problems in the file." in response.get_data(as_text=True)
    assert problems(response) == [
        (2, "lot_number", "Length must be between 1 and 64."),
        (2, "expiry_date", "Not a valid date."),
        (2, "quantity", "Not a valid integer."),
        (3, "item_code", "Unknown item code NOPE."),
        (3, "warehouse_code", "Unknown warehouse code WH-NONE."),
        (3, "reason", "Missing data for required field."),
        (5, "supplier", "Text may not contain NUL characters or broken Unicode."),
        (5, "quality_status", "Must be one of: quarantine, released, blocked, recalled, expired."),
    ]
    assert counts(db) == before


def test_lot_rules_are_those_of_a_single_receipt(as_role, db, stock) -> None:
    known = stock.lot
    data = csv_file([
        line(lot="L-2291", expiry=(known.expiry_date + dt.timedelta(days=1)).isoformat()),
        line(lot="L-PAST", expiry=(local_today() - dt.timedelta(days=1)).isoformat()),
        line(lot="L-TWICE", expiry="2031-01-01", reference="a"),
        line(lot="L-TWICE", expiry="2031-02-01", reference="b"),
        line(lot="L-EXP", status="expired"),
    ])
    response = upload(as_role("logistics"), data)
    assert problems(response) == [
        (2, "expiry_date", f"Lot L-2291 of Acme expires on {known.expiry_date.isoformat()}, not on this date."),
        (3, "expiry_date", f"The expiry date {english_date(local_today() - dt.timedelta(days=1))} has passed."),
        (5, "expiry_date", "Line 4 gives lot L-TWICE another expiry date."),
        (6, "quality_status", "Stock is received as quarantine, released or blocked."),
    ]


def test_the_same_file_twice_is_refused(as_role, db, stock) -> None:
    client = as_role("logistics")
    data = csv_file([line(lot="L-ONCE")])
    assert upload(client, data).status_code == 302
    before = counts(db)
    again = upload(client, data)
    assert again.status_code == 422
    [(number, column, message)] = problems(again)
    assert (number, column) == (1, "row")
    assert message.startswith("This file was already imported on ")
    assert counts(db) == before


def test_the_same_lines_in_another_file_are_refused_and_repeats_within_a_file(as_role, db, stock) -> None:
    client = as_role("logistics")
    assert upload(client, csv_file([line(lot="L-1"), line(lot="L-2")])).status_code == 302
    before = counts(db)
    # The same two receipts, saved from Excel: other bytes, the same values; plus a new line given twice.
    again = upload(client, xlsx_file([line(lot="L-2"), line(lot="L-3"), line(lot="L-3"), line(lot="L-1")]),
                   name="again.xlsx")
    found = problems(again)
    assert [(n, c) for n, c, _m in found] == [(2, "row"), (4, "row"), (5, "row")]
    assert found[0][2].endswith("line 3).")
    assert found[1][2] == "The same as line 3."
    assert found[2][2].endswith("line 2).")
    assert counts(db) == before


def test_a_cell_over_128_kib_is_a_clear_problem(as_role, db, stock) -> None:
    data = csv_file([line(reason="x" * (128 * 1024 + 1)), line(lot="L-OK")])
    response = upload(as_role("logistics"), data)
    assert response.status_code == 422
    # csv stops reading the line at the long cell, so the whole line is named.
    assert problems(response) == [(2, "row", "A cell holds more than 128 KiB of text.")]


def test_a_file_over_the_row_limit_is_refused_with_the_limit(app, as_role, db, stock, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "IMPORT_MAX_ROWS", 3)
    before = counts(db)
    response = upload(as_role("logistics"), csv_file([line(lot=f"L-{n}") for n in range(4)]))
    assert problems(response) == [
        (5, "row", "The file holds more than 3 receipts; split it into files of at most 3 lines.")]
    assert counts(db) == before


def test_missing_columns_are_named(as_role, stock) -> None:
    header = [c for c in HEADER if c not in ("supplier", "reason")]
    response = upload(as_role("logistics"), csv_file([], header=header))
    assert problems(response) == [(1, "supplier", "Missing column."), (1, "reason", "Missing column.")]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "The file is empty: the first line should name the columns."),
    (b"PK\x03\x04 not really a workbook", "The file cannot be read as XLSX"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "This is an old Excel file (XLS)."),
])
def test_a_file_that_is_no_spreadsheet_gets_a_clear_message(as_role, stock, data, message) -> None:
    response = upload(as_role("logistics"), data, name="receipts.xlsx")
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_the_template_as_csv_for_english_and_dutch_excel_and_as_xlsx(as_role) -> None:
    client = as_role("logistics")
    english = client.get("/inventory/import/template.csv")
    assert english.get_data(as_text=True) == ",".join(f'"{c}"' for c in HEADER) + "\r\n"
    dutch = client.get("/inventory/import/template.csv", headers={"Accept-Language": "nl"})
    assert dutch.get_data(as_text=True) == ";".join(f'"{c}"' for c in HEADER) + "\r\n"
    sheet = load_workbook(io.BytesIO(client.get("/inventory/import/template.xlsx").data)).worksheets[0]
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [HEADER]


def test_the_import_page_offers_the_templates_and_explains_the_columns(as_role) -> None:
    page = as_role("logistics").get("/inventory/import").get_data(as_text=True)
    assert "/inventory/import/template.xlsx" in page
    assert "/inventory/import/template.csv" in page
    assert all(f"<code>{c}</code>" in page for c in HEADER)
