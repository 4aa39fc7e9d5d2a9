"""A long import does not stop bookings on SQLite: the file is read and checked with no transaction open, and
only the short booking at the end takes the write lock.

The database is a committed SQLite file (not the rolled-back test transaction, which itself holds the lock), and a
second connection tries to take SQLite's write lock while the import is reading the file's lines.
"""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from stockpile.auth.models import Role
from stockpile.db import local_today, session, transaction
from stockpile.inventory import queries
from stockpile.inventory.models import Lot, StockMovement
from stockpile.ops import migrate
from stockpile.web import uploads
from tests import factories
from tests.conftest import make_test_app, sign_in
from tests.databases import backends, fresh_database


@pytest.fixture
def committed(tmp_path):
    """A migrated SQLite file with a logistics user, an item and a warehouse, all committed."""
    with fresh_database("sqlite", tmp_path) as url:
        migrate.upgrade(url)
        app = make_test_app(url, tmp_path)
        with app.app_context(), transaction():
            user = factories.user(Role.LOGISTICS)
            factories.item(code="FFP2")
            factories.warehouse(code="WH-ZEIST")
        try:
            yield app, url.removeprefix("sqlite:///"), user
        finally:
            app.extensions["stockpile.engine"].dispose()


def can_take_write_lock(path: str) -> bool:
    """Whether another connection gets SQLite's write lock at once (as a booking would need it)."""
    connection = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        connection.close()


def test_reading_the_file_leaves_the_write_lock_free(committed, monkeypatch) -> None:
    app, path, user = committed
    seen: list[bool] = []
    real_open = uploads.open_sheet

    def open_and_probe(stream, known):
        sheet = real_open(stream, known)

        def lines() -> Iterator[uploads.SheetLine]:
            for number, line in enumerate(sheet.lines):
                if number == 100:
                    seen.append(can_take_write_lock(path))
                yield line

        return uploads.Sheet(sheet.columns, lines(), sheet.sha256)

    monkeypatch.setattr(uploads, "open_sheet", open_and_probe)
    expiry = (local_today() + dt.timedelta(days=200)).isoformat()
    text = "item_code,lot_number,supplier,expiry_date,warehouse_code,quantity,reason\n" + "".join(
        f"FFP2,L-{n},Acme,{expiry},WH-ZEIST,1,delivery\n" for n in range(300))
    client = sign_in(app.test_client(), user)
    response = client.post("/inventory/import", data={"file": (io.BytesIO(text.encode()), "r.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert seen == [True], "the import held SQLite's write lock while it read the file"
    with app.app_context():
        assert session().scalar(select(func.count()).select_from(StockMovement)) == 300


@pytest.fixture(params=backends())
def committed_any(request, tmp_path):
    """A committed database of each backend with two logistics users, an item and a warehouse."""
    with fresh_database(request.param, tmp_path) as url:
        migrate.upgrade(url)
        app = make_test_app(url, tmp_path)
        with app.app_context(), transaction():
            users = [factories.user(Role.LOGISTICS), factories.user(Role.LOGISTICS)]
            factories.item(code="FFP2")
            factories.warehouse(code="WH-ZEIST")
        try:
            yield app, users
        finally:
            app.extensions["stockpile.engine"].dispose()


def test_two_clerks_importing_the_same_new_lots_at_once_book_them_once(committed_any) -> None:
    """Both files create lot L-SHARED: one import books, the other adds to it (SQLite: the write lock puts them in
    turn) or is refused whole (PostgreSQL: the unique lot key stops the second insert), never a 500."""
    app, users = committed_any
    expiry = (local_today() + dt.timedelta(days=200)).isoformat()
    files = [("item_code,lot_number,supplier,expiry_date,warehouse_code,quantity,reason,reference\n" + "".join(
        f"FFP2,L-SHARED,Acme,{expiry},WH-ZEIST,5,delivery,{who}-{n}\n" for n in range(200))).encode()
        for who in ("a", "b")]
    start = threading.Barrier(2)
    answers: list[tuple[int, str]] = []

    def import_as(user, data) -> None:
        client = sign_in(app.test_client(), user)
        start.wait()
        response = client.post("/inventory/import", data={"file": (io.BytesIO(data), "r.csv")},
                               content_type="multipart/form-data")
        answers.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=import_as, args=pair) for pair in zip(users, files, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = sorted(status for status, _page in answers)
    assert statuses in ([302, 302], [302, 422]), statuses
    refused = [page for status, page in answers if status == 422]
    assert all("Another booking changed the same lots at the same moment" in page for page in refused)
    with app.app_context():
        lots = session().scalar(select(func.count()).select_from(Lot).where(Lot.lot_number == "L-SHARED"))
        booked = session().scalar(select(func.count()).select_from(StockMovement))
        assert (lots, booked) == (1, 200 * statuses.count(302))
        assert queries.check_ledger() == []
