"""Make the README's screenshots of the risk grid and the equity view (Playwright driving Debian's Chromium).

    .venv/bin/python docs/screenshots.py            # writes docs/risk-grid.png and docs/equity-view.png

A fresh SQLite file in a temporary directory gets the demo (`stockpile seed-demo`), six weeks of requests from five
regions and all eight essential processes (decided as a reviewer short of stock would: tier 1 in full, tier 2 at
70 %, tier 3 at 40 %; the older ones picked), and one forecast run; the app is then served on a free local port and
the two pages are photographed as the continuity section sees them.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import threading
from pathlib import Path

from sqlalchemy import select, update
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stockpile import create_app  # noqa: E402
from stockpile.auth import services as auth_services  # noqa: E402
from stockpile.auth.models import Role, User  # noqa: E402
from stockpile.db import session, transaction, utcnow  # noqa: E402
from stockpile.forecast import runner  # noqa: E402
from stockpile.forecast.models import RunTrigger  # noqa: E402
from stockpile.ops import migrate  # noqa: E402
from stockpile.reference.models import EssentialProcess, Item  # noqa: E402
from stockpile.requests import services as request_services  # noqa: E402
from stockpile.requests.models import SupplyRequest  # noqa: E402
from stockpile.requests.reservations import free_for_process  # noqa: E402

REGIONS = ["VR09", "VR13", "VR17", "VR20", "VR04"]
ITEMS = {"FFP2-CUP": 120, "GOWN-ISO": 150, "MASK-IIR": 900, "GLOVE-NIT-M": 1200, "FFP3-VALVE": 60}
PROCESSES = ["CARE-HOSP", "CARE-ELDER", "AMBULANCE", "FIRE", "POLICE", "WATER", "ENERGY", "FOOD"]
APPROVED_SHARE = {1: 1.0, 2: 0.7, 3: 0.4}
CHROMIUM = "/usr/bin/chromium"


def region_users() -> dict[str, User]:
    users = {}
    for code in REGIONS:
        email = f"demo-{code.lower()}@stockpile.example"
        found = session().scalar(select(User).where(User.email == email))
        users[code] = found or auth_services.create_user(email, "demo-region-password", Role.REGION, code)
    return users


def seed_requests() -> None:
    """Six weeks of requests: each region, process and item now and then, by a fixed pattern."""
    with transaction():
        users = region_users()
        reviewer = session().scalar(select(User).where(User.role == Role.CONTINUITY))
        picker = session().scalar(select(User).where(User.role == Role.LOGISTICS))
        processes = {p.code: p for p in session().scalars(select(EssentialProcess))}
        items = {i.code: i for i in session().scalars(select(Item))}
        n = 0
        for days_ago in range(41, 0, -3):
            for r, region in enumerate(REGIONS):
                for p, code in enumerate(PROCESSES):
                    if (days_ago + r + p) % 4:
                        continue
                    n += 1
                    item_code = list(ITEMS)[(3 * r + p + days_ago // 3) % len(ITEMS)]
                    asked = ITEMS[item_code] * (1 + (n % 3))
                    _request(users[region], reviewer, picker, processes[code], items[item_code], asked, days_ago)


def _request(user: User, reviewer: User, picker: User, process: EssentialProcess, item: Item, asked: int,
             days_ago: int) -> None:
    draft = request_services.DraftData(essential_process_id=process.id, needed_by=dt.date.today() + dt.timedelta(7),
                                       justification="Demo wave", contact="Demo contact", lines=[(item.id, asked)],
                                       delivery_address="Demo address 1")
    request = request_services.create_draft(user, draft)
    request_services.submit(request, user)
    quantity = min(int(asked * APPROVED_SHARE[process.priority_tier]), free_for_process(item.id, process.id))
    if quantity <= 0:
        request_services.reject(request, reviewer, "Rationed: nothing free")
    else:
        request_services.approve(request, reviewer, {request.lines[0].id: (quantity, "" if quantity == asked
                                                                            else "Rationed")})
        if days_ago > 7:
            request_services.pick(request, picker)
    session().execute(update(SupplyRequest).where(SupplyRequest.id == request.id)
                      .values(submitted_at=utcnow() - dt.timedelta(days=days_ago))
                      .execution_options(synchronize_session=False))


def shoot(base_url: str, out: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        page = browser.new_context(base_url=base_url, locale="en-GB", viewport={"width": 1400, "height": 900}
                                   ).new_page()
        page.goto("/login")
        page.get_by_label("Email").fill("continuity@stockpile.example")
        page.get_by_label("Password").fill("demo-continuity-password")
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"/insight/risk?date={(dt.date.today() + dt.timedelta(days=10)).isoformat()}")
        page.screenshot(path=str(out / "risk-grid.png"), full_page=True)
        page.goto("/insight/equity?weeks=6&sort=fill_rate")
        page.screenshot(path=str(out / "equity-view.png"), full_page=True)
        browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/screenshots.sqlite"
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "screenshots-only", "ENV_NAME": "development",
                          "FORECAST_WORKERS": 1, "FORECAST_HISTORY_DAYS": 120, "FORECAST_HORIZON_DAYS": 45})
        app.instance_path = tmp
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        with app.app_context():
            seed_requests()
            run = runner.run_forecast(RunTrigger.CLI)
            print(f"forecast run {run.id}: {run.status.value}")
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            shoot(f"http://127.0.0.1:{server.server_port}", ROOT / "docs")
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
