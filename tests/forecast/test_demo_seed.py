"""The demo seed writes two years of history that the ledger check accepts, once."""

from __future__ import annotations

from sqlalchemy import func, select

from stockpile.forecast.models import ExpectedDelivery
from stockpile.inventory.models import MovementType, StockMovement
from stockpile.inventory.queries import check_ledger, stock_by_item


def test_seed_writes_consistent_history_once(runner, db) -> None:
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    issues = db.scalar(select(func.count()).where(StockMovement.type == MovementType.ISSUE))
    assert issues > 20 * 600
    assert check_ledger() == []
    stock = {s.code: s.usable for s in stock_by_item()}
    assert stock["FFP2-CUP"] < stock["GLOVE-NIT-M"]
    deliveries = db.scalar(select(func.count()).select_from(ExpectedDelivery))
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert db.scalar(select(func.count()).where(StockMovement.type == MovementType.ISSUE)) == issues
    assert db.scalar(select(func.count()).select_from(ExpectedDelivery)) == deliveries
