"""The inventory's commands: the ledger check and the nightly expiry."""

from __future__ import annotations

import datetime as dt

from stockpile.db import local_today
from stockpile.inventory.models import QualityStatus, StockBalance
from tests import factories
from tests.inventory.helpers import receive


def test_check_ledger_reports_agreement(runner, db) -> None:
    item, zeist = factories.item(), factories.warehouse()
    receive(item, zeist, 10)
    result = runner.invoke(args=["check-ledger"])
    assert result.exit_code == 0, result.output
    assert "ledger and balances agree (" in result.output
    assert "balances checked)" in result.output


def test_check_ledger_lists_each_difference_and_exits_1(runner, db) -> None:
    item, zeist = factories.item(), factories.warehouse()
    lot = receive(item, zeist, 10).lot
    db.get(StockBalance, (lot.id, zeist.id)).on_hand = 12
    db.flush()
    result = runner.invoke(args=["check-ledger"])
    assert result.exit_code == 1
    assert f"lot {lot.id} in warehouse {zeist.id}: balance 12, ledger 10" in result.output


def test_expire_lots_marks_lots_past_their_date_and_says_how_many(runner, db) -> None:
    item, zeist = factories.item(), factories.warehouse()
    old = receive(item, zeist, 10).lot
    fresh = receive(item, zeist, 10).lot
    old.expiry_date = local_today() - dt.timedelta(days=1)
    db.flush()
    result = runner.invoke(args=["expire-lots"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 lot(s) marked expired"
    db.refresh(old)
    db.refresh(fresh)
    assert (old.quality_status, fresh.quality_status) == (QualityStatus.EXPIRED, QualityStatus.RELEASED)
