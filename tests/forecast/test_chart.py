"""The item page's chart: a matplotlib SVG with two panels, date axes, units and a legend, and a table below it
with the same numbers as the projection; the web app starts without pandas, matplotlib or the engine."""

from __future__ import annotations

import base64
import datetime as dt
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from babel.dates import format_date

from stockpile.db import local_today
from stockpile.forecast import runner
from stockpile.forecast.chart import chart_rows, draw_chart
from stockpile.forecast.demand import daily_demand
from stockpile.forecast.models import RunTrigger
from stockpile.forecast.outlook import item_outlook
from tests import factories
from tests.forecast.conftest import issue_on
from tests.inventory.helpers import receive


@pytest.fixture
def outlook(db):
    wh = factories.warehouse()
    item = factories.item(code="MASK-C", unit_of_issue="box", lead_time_days=14, safety_stock_days=7)
    lot = receive(item, wh, 3000).lot
    receive(item, wh, 900, expiry_days=40)  # last pick day in 10 days: about 400 of it will be lost
    for days_ago in range(1, 30):
        issue_on(db, lot, wh, 40 + (days_ago * 13) % 17, days_ago)
    item_id = item.id
    runner.run_forecast(RunTrigger.CLI)
    soon = local_today() + dt.timedelta(days=6)
    from stockpile.forecast import services

    services.record_delivery(item_id=item_id, quantity=700, expected_date=soon, supplier="Acme", note="", user_id=None)
    return item_outlook(item_id)


def svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return [t.strip() for t in root.itertext() if t.strip()]


def test_the_chart_has_two_panels_with_date_axes_units_and_a_legend(outlook) -> None:
    until = outlook.today - dt.timedelta(days=1)
    rows = chart_rows(outlook, daily_demand(outlook.item.id, until - dt.timedelta(days=59), until))
    svg = draw_chart(outlook, rows)
    texts = svg_texts(svg)
    for words in ("Demand per day: history and forecast", "Projected stock", "box per day", "box in stock", "Date",
                  "Demand (history)", "Forecast demand", "80 % interval of the forecast", "Central",
                  "Pessimistic (1 in 10)", "Safety stock", "End of the lead time", "Expected delivery",
                  "Units lost at the last pick day", "+700"):
        assert words in texts, words
    # date ticks on the shared axis: month names (concise date format) and day numbers
    assert any(re.fullmatch(r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)", t) for t in texts), texts
    assert sum(1 for t in texts if re.fullmatch(r"\d{1,2}", t)) >= 4
    assert svg.count('id="axes_') >= 2  # two panels
    assert "fill-opacity" in svg or "opacity: 0.25" in svg  # the visible interval band


def test_the_table_below_the_chart_has_the_projections_numbers(outlook, as_role, api_as) -> None:
    item = outlook.item
    projection = as_role("continuity").get(f"/api/v1/forecast/items/{item.id}/projection",
                                           headers=api_as("continuity")).json
    rows = [r for r in chart_rows(outlook, []) if r.central is not None]
    assert [r.day.isoformat() for r in rows] == projection["days"]
    assert [r.central for r in rows] == pytest.approx(projection["central"])
    assert [r.pessimistic for r in rows] == pytest.approx(projection["pessimistic"])
    assert sum(r.delivered for r in rows) == 700
    assert sum(r.expiring for r in rows) == pytest.approx(projection["projected_waste"])
    page = as_role("continuity").get(f"/forecast/items/{item.id}").text
    image = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert image is not None
    assert "Projected stock" in base64.b64decode(image.group(1)).decode()
    first = rows[0]
    assert f"<td>{format_date(first.day, 'medium', locale='en')}</td>" in page
    assert f"{first.central:,.0f}" in page


def test_the_web_app_starts_without_pandas_matplotlib_or_the_engine(tmp_path) -> None:
    code = (
        "import sys; from stockpile import create_app; "
        f"app = create_app({{'DATABASE_URL': 'sqlite:///{tmp_path}/x.sqlite', 'SECRET_KEY': 'x'}}); "
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'matplotlib', 'statsforecast', "
        "'prophet', 'scipy'}); print(heavy)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_projected_waste_per_lot_on_the_expiring_page_and_per_item_on_the_dashboard(outlook, as_role,
                                                                                     api_as) -> None:
    item = outlook.item
    projection = as_role("continuity").get(f"/api/v1/forecast/items/{item.id}/projection",
                                           headers=api_as("continuity")).json
    lost = [w for w in projection["waste_by_lot"] if w["units"] > 0]
    assert len(lost) == 1  # the lot whose last pick day is in 10 days
    units = f"{lost[0]['units']:,.0f}"
    assert 200 < lost[0]["units"] < 900
    page = as_role("logistics").get("/inventory/expiring?days=60").text
    tables = re.findall(r"<tr><td>MASK-C</td>.*?</tr>", page, re.S)
    assert any(f"<td>{units}</td>" in row for row in tables), tables
    dashboard = as_role("continuity").get("/forecast/").text
    row = re.search(r'id="outlook-MASK-C">(.*?)</tr>', dashboard, re.S).group(1)
    assert f"<td>{units}</td>" in row
