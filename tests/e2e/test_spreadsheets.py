"""A clerk's spreadsheets in a real browser: the template downloaded, a file with mistakes refused line by line,
the corrected file (from Dutch Excel: semicolons) booked, the ledger downloaded as XLSX, and the import page on a
phone. Every check reads what the page or the downloaded file shows."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the conftest skips these tests, or fails them where a browser is required
    Page = Any  # type: ignore[misc,assignment]

TODAY = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()
EXPIRY = TODAY + dt.timedelta(days=400)
HYPERLINK = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture(scope="module")
def clerk(browser: Any, live_server: str) -> Iterator[Page]:
    """The logistics clerk, signed in through the form."""
    context = browser.new_context(base_url=live_server, locale="en-GB", viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/")
    page.get_by_label("Email").fill("logistics@stockpile.example")
    page.get_by_label("Password").fill("demo-logistics-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    yield page
    context.close()


def upload(page: Page, name: str, data: bytes, mime: str) -> None:
    page.get_by_label("CSV or XLSX file").set_input_files({"name": name, "mimeType": mime, "buffer": data})
    page.get_by_role("button", name="Import").click()


def test_the_clerk_downloads_the_template_and_fills_it_in_with_mistakes(
        clerk: Page, screenshots: Path) -> None:
    page = clerk
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Stock", exact=True).click()
    page.get_by_role("link", name="Import receipts (CSV or Excel)").click()
    expect(page.get_by_role("heading", name="Import receipts")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="template for Excel (XLSX)").click()
    assert download.value.suggested_filename == "receipts-template.xlsx"
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book.worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["item_code", "lot_number", "supplier"]
    sheet.append(["FFP2-CUP", "E2E-XL-1", "Respira BV", dt.datetime.combine(EXPIRY, dt.time()), None, "quarantine",
                  "WH-ZEIST", 1.5, "delivery", "PO-77"])
    sheet.append(["NO-SUCH", "E2E-XL-2", "", "31-13-2031", None, "quarantine", "WH-NOWHERE", 10, None, None])
    out = io.BytesIO()
    book.save(out)
    upload(page, "receipts.xlsx", out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    expect(page.get_by_text("Nothing was imported: 6 problems in the file.")).to_be_visible()
    table = page.locator("table.row-errors")
    expect(table.get_by_role("row")).to_have_count(7)  # the header and six problems
    expect(table.get_by_role("row").filter(has_text="Not a valid integer.")).to_contain_text("quantity")
    expect(table.get_by_role("row").filter(has_text="Unknown item code NO-SUCH.")).to_be_visible()
    expect(table.get_by_role("row").filter(has_text="Unknown warehouse code WH-NOWHERE.")).to_be_visible()
    page.screenshot(path=str(screenshots / "5-import-problems-per-line.png"), full_page=True)


def test_the_corrected_file_from_dutch_excel_is_booked_and_the_ledger_downloads(
        clerk: Page, screenshots: Path) -> None:
    page = clerk
    dutch_date = f"{EXPIRY.day}-{EXPIRY.month}-{EXPIRY.year}"
    text = ("item_code;lot_number;supplier;expiry_date;quality_status;warehouse_code;quantity;reason;reference\r\n"
            f"FFP2-CUP;E2E-XL-1;Respira BV;{dutch_date};quarantine;WH-ZEIST;150;levering;PO-77\r\n"
            f"FFP2-CUP;E2E-XL-2;Café Médical;{dutch_date};quarantine;WH-ZEIST;10;levering;{HYPERLINK}\r\n")
    upload(page, "ontvangsten.csv", text.encode("cp1252"), "text/csv")
    expect(page.get_by_role("status").filter(has_text="Imported 2 receipts")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="E2E-XL-2")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download as Excel (XLSX)").click()
    assert download.value.suggested_filename == "ledger.xlsx"
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    [mine] = [row for row in rows if row[4] == "E2E-XL-2"]
    assert mine[9] == "'" + HYPERLINK, "the reference must arrive as inert text"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    page.screenshot(path=str(screenshots / "6-ledger-after-import.png"), full_page=True)


def test_the_import_page_fits_a_phone(clerk: Page, screenshots: Path) -> None:
    page = clerk
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/inventory/import")
    upload(page, "again.csv", b"item_code,lot_number\r\nFFP2-CUP,X\r\n", "text/csv")
    expect(page.get_by_text("Missing column.").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways: {width} px"
    page.screenshot(path=str(screenshots / "7-import-on-a-phone.png"), full_page=True)


def test_the_import_page_speaks_dutch_to_a_dutch_browser(browser: Any, live_server: str, screenshots: Path) -> None:
    context = browser.new_context(base_url=live_server, locale="nl-NL", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        page.goto("/")
        page.get_by_label("E-mailadres").fill("logistics@stockpile.example")
        page.get_by_label("Wachtwoord").fill("demo-logistics-password")
        page.get_by_role("button", name="Inloggen").click()
        page.goto("/inventory/import")
        expect(page.get_by_role("heading", name="Ontvangsten importeren")).to_be_visible()
        expect(page.get_by_role("link", name="sjabloon voor Excel (XLSX)")).to_be_visible()
        page.get_by_label("CSV- of XLSX-bestand").set_input_files(
            {"name": "fout.csv", "mimeType": "text/csv", "buffer": b"item_code;lot_number\r\nFFP2-CUP;X\r\n"})
        page.get_by_role("button", name="Importeren").click()
        expect(page.get_by_role("heading", name="Problemen, regel voor regel")).to_be_visible()
        expect(page.get_by_text("Kolom ontbreekt.").first).to_be_visible()
        page.screenshot(path=str(screenshots / "8-import-in-dutch.png"), full_page=True)
    finally:
        context.close()
