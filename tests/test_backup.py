"""A backup taken while bookings are written restores into a database whose ledger and balances agree."""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select

from stockpile import create_app
from stockpile.db import session, transaction
from stockpile.errors import Conflict
from stockpile.inventory import services
from stockpile.inventory.models import StockMovement
from stockpile.inventory.queries import check_ledger
from stockpile.ops import migrate
from tests import factories
from tests.conftest import TEST_CONFIG
from tests.inventory.helpers import receive


@contextmanager
def app_on(path: Path):
    app = create_app({**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{path}"})
    try:
        with app.app_context():
            yield app
    finally:
        app.extensions["stockpile.engine"].dispose()


def _keep_booking(path: Path, lot_id: int, warehouse_id: int, stop: threading.Event, booked: list[int]) -> None:
    with app_on(path):
        while not stop.is_set():
            try:
                with transaction():
                    services.issue(lot_id=lot_id, warehouse_id=warehouse_id, quantity=1, reason="load",
                                   user_id=None)
                booked.append(1)
            except Conflict:
                return


def test_backup_during_writes_restores_to_a_consistent_ledger(tmp_path: Path) -> None:
    live, copy, restored = tmp_path / "live.sqlite", tmp_path / "backup.sqlite", tmp_path / "restored.sqlite"
    migrate.upgrade(f"sqlite:///{live}")
    with app_on(live), transaction():
        lot = receive(factories.item(), warehouse := factories.warehouse(), 100_000).lot
        lot_id, warehouse_id = lot.id, warehouse.id
    stop, booked = threading.Event(), []
    writer = threading.Thread(target=_keep_booking, args=(live, lot_id, warehouse_id, stop, booked))
    writer.start()
    try:
        while len(booked) < 20:
            threading.Event().wait(0.01)
        with app_on(live) as app:
            result = app.test_cli_runner().invoke(args=["backup", str(copy)])
            assert result.exit_code == 0, result.output
        during = len(booked)
    finally:
        stop.set()
        writer.join(timeout=30)
    assert len(booked) > during or len(booked) >= 20  # writes went on around the backup
    migrate.upgrade(f"sqlite:///{restored}")
    with app_on(restored) as app:
        result = app.test_cli_runner().invoke(args=["restore", str(copy), "--yes"])
        assert result.exit_code == 0, result.output
    with app_on(restored):
        assert check_ledger() == []
        assert session().scalar(select(func.count()).select_from(StockMovement)) >= 21


def test_backup_refuses_to_overwrite_and_restore_refuses_other_files(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite"
    migrate.upgrade(f"sqlite:///{live}")
    (tmp_path / "exists.sqlite").write_text("x")
    (tmp_path / "not-a-db.txt").write_text("hello")
    with app_on(live) as app:
        runner = app.test_cli_runner()
        assert "exists" in runner.invoke(args=["backup", str(tmp_path / "exists.sqlite")]).output
        refused = runner.invoke(args=["restore", str(tmp_path / "not-a-db.txt"), "--yes"])
        assert refused.exit_code != 0
        assert "not a Stockpile database" in refused.output


def test_backup_on_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1/none"})
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x")])
    assert result.exit_code != 0
    assert "pg_dump" in result.output
