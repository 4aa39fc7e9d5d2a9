"""One request's life in a real browser, as the four people who handle it see it.

The steps run in order and share the browser pages of this module. Every check reads what the page shows (text,
roles, labels), never the database. The lot is received before the review so that the FEFO proposal has a choice:
the new lot expires long before the demo's, so approval reserves it first and the rest from the older stock.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date

from tests.e2e.conftest import SLOW_STEP_MS

try:
    from playwright.sync_api import Page, expect
except ImportError:  # the conftest skips these tests, or fails them where a browser is required
    Page = Any  # type: ignore[misc,assignment]

PASSWORDS = {
    "region@stockpile.example": "demo-region-password",
    "continuity@stockpile.example": "demo-continuity-password",
    "logistics@stockpile.example": "demo-logistics-password",
}
SCARCE, SCARCE_NAME = "FFP2-CUP", "FFP2 respirator, cup shape"
PLENTY, PLENTY_NAME = "GLOVE-NIT-M", "Nitrile examination gloves, size M"
NEW_LOT = "E2E-FFP2-0001"
TODAY = dt.datetime.now(ZoneInfo("Europe/Amsterdam")).date()


@pytest.fixture(scope="module")
def story() -> dict[str, str]:
    """What one step learns from the page and a later step needs (the request's number and address)."""
    return {}


@pytest.fixture(scope="module")
def people(browser: Any, live_server: str) -> Iterator[dict[str, Page]]:
    """A signed-in page per person, each in its own browser context (its own cookies)."""
    contexts = []
    pages: dict[str, Page] = {}
    for who in ("region", "continuity", "logistics"):
        context = browser.new_context(base_url=live_server, locale="en-GB", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        pages[who] = context.new_page()
    yield pages
    for context in contexts:
        context.close()


def nav(page: Page, label: str) -> None:
    """Follow a link of the main navigation, as a person would."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=label, exact=True).click()


def flash(page: Page, text: str) -> None:
    expect(page.get_by_role("status").filter(has_text=text)).to_be_visible()


def row(page: Page, *texts: str) -> Any:
    """The table row holding all of the texts."""
    found = page.get_by_role("row")
    for text in texts:
        found = found.filter(has_text=text)
    return found


def shot(page: Page, directory: Path, name: str) -> None:
    page.screenshot(path=str(directory / f"{name}.png"), full_page=True)


def test_everyone_signs_in_through_the_login_form(people: dict[str, Page]) -> None:
    for who, page in people.items():
        email = f"{who}@stockpile.example"
        page.goto("/")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORDS[email])
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
        expect(page.get_by_text(f"Signed in as {email}")).to_be_visible()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def start_a_run(page: Page, number: int) -> None:
    """Queue a run from the runs page; its page follows it (refreshing itself) while the scheduler executes it."""
    nav(page, "Forecast runs")
    expect(page.get_by_role("heading", name="Forecast runs")).to_be_visible()
    page.get_by_role("button", name="Start a run now").click()
    flash(page, f"Forecast run {number} queued")
    expect(page.get_by_role("heading", name=f"Forecast run {number}")).to_be_visible()


def test_continuity_starts_a_first_forecast_run(people: dict[str, Page]) -> None:
    page = people["continuity"]
    start_a_run(page, 1)
    expect(page.get_by_text("succeeded", exact=True)).to_be_visible(timeout=SLOW_STEP_MS)
    expect(page.get_by_text(re.compile(r"info succeeded: \d+ series"))).to_be_visible()
    nav(page, "Forecast runs")
    expect(row(page, "succeeded", "started on the page")).to_have_count(1)


def test_region_submits_a_request_with_two_lines(people: dict[str, Page], story: dict[str, str]) -> None:
    page = people["region"]
    nav(page, "Requests")
    page.get_by_role("link", name="New request").click()
    expect(page.get_by_role("heading", name="New request")).to_be_visible()
    page.get_by_label("Essential process").select_option(label="CARE-ELDER Nursing homes and home care (tier 1)")
    page.get_by_label("Needed by").fill((TODAY + dt.timedelta(days=7)).isoformat())
    page.get_by_label("Deliver to warehouse").select_option(label="—")
    page.get_by_label("or delivery address").fill("Verpleeghuis De Linde, Lindelaan 4, Utrecht")
    page.get_by_label("Contact person and phone").fill("Anna de Vries 06-12345678")
    page.get_by_label("Justification").fill("Outbreak in three nursing homes; stock lasts two days")
    page.get_by_label("Item of line 1").select_option(label=f"{SCARCE} {SCARCE_NAME}")
    page.get_by_label("Quantity of line 1").fill("2000")
    page.get_by_label("Item of line 2").select_option(label=f"{PLENTY} {PLENTY_NAME}")
    page.get_by_label("Quantity of line 2").fill("500")
    page.get_by_role("button", name="Save and submit").click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("submitted")
    story["number"] = re.search(r"Request (\S+)", heading.inner_text()).group(1)  # type: ignore[union-attr]
    story["url"] = page.url
    flash(page, f"Request {story['number']} saved as submitted.")
    expect(row(page, SCARCE, "2,000")).to_be_visible()
    expect(row(page, PLENTY, "500")).to_be_visible()
    expect(page.get_by_role("button", name="Cancel request")).to_be_visible()


def test_logistics_receives_and_releases_a_lot(people: dict[str, Page]) -> None:
    page = people["logistics"]
    nav(page, "Stock")
    page.get_by_role("link", name="Receive a lot").click()
    expect(page.get_by_role("heading", name="Receive a lot")).to_be_visible()
    page.get_by_label("Item").select_option(label=f"{SCARCE} {SCARCE_NAME}")
    page.get_by_label("Lot number").fill(NEW_LOT)
    page.get_by_label("Supplier").fill("Respira BV")
    page.get_by_label("Expiry date").fill((TODAY + dt.timedelta(days=200)).isoformat())
    page.get_by_label("Quality status").select_option("quarantine")
    page.get_by_label("Into warehouse").select_option(label="WH-ZEIST National warehouse Zeist")
    page.get_by_label("Quantity").fill("1000")
    page.get_by_label("Reason").fill("Emergency purchase, delivery 1 of 3")
    page.get_by_label("Reference (order, delivery note)").fill("PO-2026-114")
    page.get_by_role("button", name="Book").click()

    expect(page.get_by_role("heading", name=f"Lot {NEW_LOT}")).to_be_visible()
    expect(row(page, "Quality status", "quarantine")).to_be_visible()
    page.get_by_role("link", name="Change quality status").click()
    page.get_by_label("New status").select_option("released")
    page.get_by_label("Reason").fill("Certificates checked, EN 149 FFP2")
    page.get_by_role("button", name="Change status").click()
    flash(page, f"Lot {NEW_LOT} is now released.")
    expect(row(page, "Quality status", "released")).to_be_visible()


def test_continuity_approves_one_line_in_part_beside_the_scarcity_flag(
        people: dict[str, Page], story: dict[str, str], screenshots: Path) -> None:
    page = people["continuity"]
    nav(page, "Review")
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    row(page, story["number"]).get_by_role("link", name="Review").click()
    expect(page.get_by_role("heading", name=f"Review of {story['number']}")).to_be_visible()

    scarce_line = row(page, SCARCE)
    expect(scarce_line.get_by_text("critical")).to_be_visible()
    expect(scarce_line.get_by_text("pessimistic stock-out")).to_be_visible()
    expect(row(page, PLENTY)).not_to_contain_text("critical")
    page.get_by_label(f"Approve of {SCARCE}").fill("1500")
    page.get_by_label(f"Reason for {SCARCE}").fill("Critical flag: the next delivery is four weeks out")
    page.get_by_label(f"Approve of {PLENTY}").fill("500")
    shot(page, screenshots, "1-review-with-scarcity-flag")
    page.get_by_role("button", name="Approve", exact=True).click()

    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    flash(page, f"Request {story['number']} is now partially approved.")
    expect(row(page, story["number"])).to_have_count(0)


def test_logistics_picks_the_fefo_proposal_and_ships(
        people: dict[str, Page], story: dict[str, str], screenshots: Path) -> None:
    page = people["logistics"]
    nav(page, "Picking")
    expect(page.get_by_role("heading", name="Picking and shipping")).to_be_visible()
    row(page, story["number"]).get_by_role("link", name="Pick list").click()
    expect(page.get_by_role("heading", name=f"Pick list {story['number']}")).to_be_visible()

    # First expired, first out: the new lot (200 days) in full, then the rest from the demo lot (3 years).
    scarce_rows = row(page, SCARCE)
    expect(scarce_rows).to_have_count(2)
    expect(scarce_rows.nth(0)).to_contain_text(NEW_LOT)
    expect(scarce_rows.nth(0)).to_contain_text(format_date(TODAY + dt.timedelta(days=200), "medium", locale="en"))
    expect(scarce_rows.nth(0).get_by_role("cell", name="1,000", exact=True)).to_be_visible()
    expect(scarce_rows.nth(1)).to_contain_text(f"DEMO-{SCARCE}-H")
    expect(scarce_rows.nth(1).get_by_role("cell", name="500", exact=True)).to_be_visible()
    expect(row(page, PLENTY, "500")).to_be_visible()
    shot(page, screenshots, "2-pick-list-fefo")
    page.get_by_role("button", name="Book the picks").click()

    flash(page, "Picks booked.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("picking")
    expect(row(page, SCARCE, "2,000", "1,500")).to_be_visible()
    page.get_by_label("Carrier").fill("PostNL Logistics")
    page.get_by_label("Reference").fill("3SPOST0042")
    page.get_by_role("button", name="Record shipment").click()
    flash(page, "Shipment recorded.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("shipped")
    expect(page.get_by_role("definition").filter(has_text="PostNL Logistics 3SPOST0042")).to_be_visible()


def test_region_confirms_receipt_line_by_line(people: dict[str, Page], story: dict[str, str]) -> None:
    page = people["region"]
    nav(page, "Requests")
    expect(row(page, story["number"], "shipped")).to_be_visible()
    page.get_by_role("link", name=story["number"]).click()
    expect(row(page, SCARCE, "2,000", "1,500")).to_contain_text("Critical flag: the next delivery is four weeks out")
    page.get_by_role("link", name="Confirm receipt").click()
    expect(page.get_by_role("heading", name=f"Confirm receipt of {story['number']}")).to_be_visible()
    expect(page.get_by_label(f"Received of {SCARCE}")).to_have_value("1500")
    expect(page.get_by_label(f"Received of {PLENTY}")).to_have_value("500")
    page.get_by_label(f"Received of {PLENTY}").fill("490")
    page.get_by_label(f"Note for {PLENTY}").fill("One box of ten torn open")
    page.get_by_role("button", name="Confirm receipt").click()

    flash(page, "Receipt confirmed.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("delivered")
    expect(row(page, PLENTY, "500", "490")).to_contain_text("Discrepancy: One box of ten torn open")
    expect(page.get_by_role("link", name="Confirm receipt")).to_have_count(0)


def test_continuity_reruns_the_forecast_and_reads_dashboard_and_chart(
        people: dict[str, Page], screenshots: Path) -> None:
    page = people["continuity"]
    start_a_run(page, 2)
    expect(page.get_by_text("succeeded", exact=True)).to_be_visible(timeout=SLOW_STEP_MS)

    nav(page, "Scarcity")
    expect(page.get_by_role("heading", name="Scarcity dashboard")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Forecasts from run 2, finished"))).to_be_visible()
    scarce = row(page, SCARCE)
    expect(scarce.get_by_text("critical", exact=True)).to_be_visible()
    expect(scarce).to_contain_text("new flag")
    expect(row(page, PLENTY).get_by_text("no flag", exact=True)).to_be_visible()
    for words in ("Usable: units on hand", "Reserved: usable units", "Committed: units approved",
                  "Days of supply: how many days"):
        expect(page.get_by_text(words)).to_be_visible()
    shot(page, screenshots, "3-scarcity-dashboard")

    scarce.get_by_role("link", name=SCARCE).click()
    expect(page.get_by_role("heading", name=f"{SCARCE} · {SCARCE_NAME}")).to_be_visible()
    expect(page.get_by_text(re.compile(r"chance of a stock-out within the 21-day lead time \d+%"))).to_be_visible()
    chart = page.get_by_role("img", name=re.compile(f"Chart of {SCARCE}: demand per day"))
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] > 400, box
    assert box["height"] > 200, box
    page.get_by_text("The chart's numbers, day by day").click()
    table = page.get_by_role("group").filter(has_text="The chart's numbers, day by day")
    expect(table.get_by_role("row").filter(has_text=format_date(TODAY, "medium", locale="en"))).to_have_count(1)
    shot(page, screenshots, "4-item-chart")


def test_continuity_reads_a_notification_and_follows_it_to_the_flag(people: dict[str, Page]) -> None:
    page = people["continuity"]
    header = page.get_by_role("link", name=re.compile(r"^Notifications: \d+ unread$"))
    expect(header).to_be_visible()  # the first run flagged the scarce item: the unread count is in the header
    header.click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    notice = page.get_by_role("listitem").filter(has_text=f"{SCARCE}: new critical flag.")
    expect(notice).to_contain_text("Stock-out expected")
    expect(notice).to_contain_text("unread")
    notice.get_by_role("link", name="Open").click()
    expect(page.get_by_role("heading", name=f"{SCARCE} · {SCARCE_NAME}")).to_be_visible()
    expect(page.get_by_text("critical", exact=True).first).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Notifications")).click()
    read = page.get_by_role("listitem").filter(has_text=f"{SCARCE}: new critical flag.")
    expect(read).not_to_contain_text("unread")
    read.get_by_role("link", name="Open").click()  # back on the item, where the next step acknowledges the flag
    expect(page.get_by_role("heading", name=f"{SCARCE} · {SCARCE_NAME}")).to_be_visible()


def test_continuity_acknowledges_the_flag_with_a_note(people: dict[str, Page]) -> None:
    page = people["continuity"]
    page.get_by_label("Note (what is being done)").fill("Extra inkoop 30.000 st. besteld")
    page.get_by_role("button", name="Acknowledge").click()
    flash(page, "Flag acknowledged.")
    expect(page.get_by_text(re.compile("Acknowledged .* Extra inkoop 30.000 st. besteld"))).to_be_visible()
    expect(row(page, "acknowledged", "Extra inkoop")).to_be_visible()  # the history


def wait_for_text(page: Page, pattern: re.Pattern[str], timeout_s: float) -> None:
    """Reload until the text shows: the page refreshes itself every 5 s, a run's phases can be quicker."""
    deadline = time.monotonic() + timeout_s
    while not page.get_by_text(pattern).count():
        assert time.monotonic() < deadline, f"{pattern.pattern} did not show within {timeout_s} s"
        page.wait_for_timeout(250)
        page.reload()


def test_continuity_watches_a_run_and_cancels_it(people: dict[str, Page], screenshots: Path) -> None:
    page = people["continuity"]
    start_a_run(page, 3)
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(1)  # it refreshes itself, no JavaScript
    wait_for_text(page, re.compile(r"phase fitting"), 120)
    expect(page.get_by_text(re.compile(r"\d+ of \d+ series"))).to_be_visible()
    expect(page.get_by_text(re.compile("last heartbeat"))).to_be_visible()
    shot(page, screenshots, "5-run-in-progress")
    page.get_by_role("button", name="Cancel this run").click()
    flash(page, "asked to stop")
    expect(page.get_by_text("cancelled", exact=True)).to_be_visible(timeout=SLOW_STEP_MS)
    expect(page.get_by_text("The previous forecast, and the flags it makes, stay in force.")).to_be_visible()
    expect(page.get_by_text(re.compile("cancel requested"))).to_be_visible()
    expect(page.locator('meta[http-equiv="refresh"]')).to_have_count(0)
    nav(page, "Scarcity")
    expect(page.get_by_text(re.compile(r"Forecasts from run 2, finished"))).to_be_visible()
