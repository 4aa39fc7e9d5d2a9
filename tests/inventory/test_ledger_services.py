"""The ledger's verbs through the service layer: balances follow movements and never go negative."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from stockpile.db import local_today
from stockpile.errors import Conflict, FieldErrors, InvalidTransition
from stockpile.inventory import queries, services
from stockpile.inventory.models import LotStatusEvent, MovementType, QualityStatus, StockBalance, StockMovement
from tests import factories
from tests.inventory.helpers import receive


def balance(db, lot, warehouse) -> tuple[int, int]:
    row = db.get(StockBalance, (lot.id, warehouse.id), populate_existing=True)
    return (row.on_hand, row.reserved) if row else (0, 0)


def movement_count(db) -> int:
    return db.scalar(select(func.count()).select_from(StockMovement))


def test_receipt_creates_the_lot_and_its_balance(db, stock) -> None:
    item, zeist, lot = stock.item, stock.zeist, stock.lot
    assert lot.item_id == item.id
    assert balance(db, lot, zeist) == (500, 0)
    again = receive(item, zeist, 20, lot_number="L-2291", expiry_days=365)
    assert again.lot_id == lot.id
    assert balance(db, lot, zeist) == (520, 0)


def test_transfer_moves_stock_in_one_movement(db, stock) -> None:
    zeist, tilburg, lot = stock.zeist, stock.tilburg, stock.lot
    movement = services.transfer(lot_id=lot.id, warehouse_id=zeist.id, to_warehouse_id=tilburg.id, quantity=120,
                                 reason="rebalance", user_id=None)
    assert (movement.from_warehouse_id, movement.to_warehouse_id) == (zeist.id, tilburg.id)
    assert balance(db, lot, zeist) == (380, 0)
    assert balance(db, lot, tilburg) == (120, 0)


def test_issuing_more_than_is_free_is_refused_with_the_numbers(db, stock) -> None:
    zeist, lot = stock.zeist, stock.lot
    services.issue(lot_id=lot.id, warehouse_id=zeist.id, quantity=380, reason="region", user_id=None)
    before = movement_count(db)
    with pytest.raises(Conflict, match="Only 120 of 500 units free in lot L-2291 at WH-ZEIST"), db.begin_nested():
        services.issue(lot_id=lot.id, warehouse_id=zeist.id, quantity=500, reason="region", user_id=None)
    assert balance(db, lot, zeist) == (120, 0)
    assert movement_count(db) == before


@pytest.mark.parametrize("status", [QualityStatus.QUARANTINE, QualityStatus.BLOCKED])
def test_unreleased_lots_cannot_be_issued_or_transferred(db, status) -> None:
    item, zeist, tilburg = factories.item(), factories.warehouse(), factories.warehouse()
    lot = receive(item, zeist, 50, status=status).lot
    with pytest.raises(Conflict, match=f"is {status.value}"):
        services.issue(lot_id=lot.id, warehouse_id=zeist.id, quantity=1, reason="r", user_id=None)
    with pytest.raises(Conflict, match=f"is {status.value}"):
        services.transfer(lot_id=lot.id, warehouse_id=zeist.id, to_warehouse_id=tilburg.id, quantity=1, reason="r",
                          user_id=None)


def test_expired_lot_cannot_be_issued_even_before_the_nightly_task(db, stock) -> None:
    zeist, lot = stock.zeist, stock.lot
    lot.expiry_date = local_today() - dt.timedelta(days=1)
    db.flush()
    with pytest.raises(Conflict, match="expired on"):
        services.issue(lot_id=lot.id, warehouse_id=zeist.id, quantity=1, reason="r", user_id=None)


@pytest.mark.parametrize("quantity", [0, -5, 2.5, "10", True])
def test_quantity_must_be_a_positive_whole_number(db, stock, quantity) -> None:
    zeist, lot = stock.zeist, stock.lot
    with pytest.raises(FieldErrors) as error:
        services.issue(lot_id=lot.id, warehouse_id=zeist.id, quantity=quantity, reason="r", user_id=None)
    assert "quantity" in error.value.errors


def test_transfer_to_the_same_warehouse_is_refused(db, stock) -> None:
    zeist, lot = stock.zeist, stock.lot
    with pytest.raises(FieldErrors) as error:
        services.transfer(lot_id=lot.id, warehouse_id=zeist.id, to_warehouse_id=zeist.id, quantity=1, reason="r",
                          user_id=None)
    assert "to_warehouse_id" in error.value.errors


def test_expiry_before_manufacture_is_refused(db) -> None:
    item, zeist = factories.item(), factories.warehouse()
    with pytest.raises(FieldErrors) as error:
        receive(item, zeist, 10, manufacture_date=local_today() + dt.timedelta(days=400))
    assert "expiry_date" in error.value.errors


def test_inactive_item_and_warehouse_are_refused(db) -> None:
    item, zeist = factories.item(active=False), factories.warehouse()
    with pytest.raises(FieldErrors, match="inactive") as error:
        receive(item, zeist, 10)
    assert "item_id" in error.value.errors
    closed = factories.warehouse(active=False)
    with pytest.raises(FieldErrors) as error:
        receive(factories.item(), closed, 10)
    assert "warehouse_id" in error.value.errors


def test_adjustment_up_and_down(db, stock) -> None:
    zeist, lot = stock.zeist, stock.lot
    services.adjust(lot_id=lot.id, warehouse_id=zeist.id, quantity=5, increase=True, reason="count", user_id=None)
    services.adjust(lot_id=lot.id, warehouse_id=zeist.id, quantity=15, increase=False, reason="count",
                    user_id=None)
    assert balance(db, lot, zeist) == (490, 0)
    with pytest.raises(Conflict):
        services.adjust(lot_id=lot.id, warehouse_id=zeist.id, quantity=491, increase=False, reason="count",
                        user_id=None)


def test_reversal_points_to_the_original_and_can_happen_once(db, stock) -> None:
    zeist, tilburg, lot = stock.zeist, stock.tilburg, stock.lot
    original = services.transfer(lot_id=lot.id, warehouse_id=zeist.id, to_warehouse_id=tilburg.id, quantity=100,
                                 reason="oops", user_id=None)
    reversal = services.reverse(movement_id=original.id, reason="wrong warehouse", user_id=None)
    assert reversal.reverses_id == original.id
    assert (reversal.from_warehouse_id, reversal.to_warehouse_id) == (tilburg.id, zeist.id)
    assert balance(db, lot, zeist) == (500, 0)
    assert db.get(StockMovement, original.id).quantity == 100
    with pytest.raises(Conflict, match="already reversed"):
        services.reverse(movement_id=original.id, reason="again", user_id=None)
    with pytest.raises(Conflict, match="itself a reversal"):
        services.reverse(movement_id=reversal.id, reason="again", user_id=None)


def test_reversing_a_receipt_whose_stock_is_gone_is_refused(db, stock) -> None:
    item, zeist = stock.item, stock.zeist
    receipt = receive(item, zeist, 10)
    services.issue(lot_id=receipt.lot_id, warehouse_id=zeist.id, quantity=10, reason="r", user_id=None)
    with pytest.raises(Conflict, match="Only 0 of 10 units free"):
        services.reverse(movement_id=receipt.id, reason="wrong lot", user_id=None)


def test_idempotency_key_books_once(db, stock) -> None:
    zeist, lot = stock.zeist, stock.lot
    first = services.issue(lot_id=lot.id, warehouse_id=zeist.id, quantity=10, reason="r", user_id=None,
                           idempotency_key="abc-1")
    again = services.issue(lot_id=lot.id, warehouse_id=zeist.id, quantity=10, reason="r", user_id=None,
                           idempotency_key="abc-1")
    assert again.id == first.id
    assert balance(db, lot, zeist) == (490, 0)
    with pytest.raises(FieldErrors, match="first used with other values: quantity, type differ"):
        services.write_off(lot_id=lot.id, warehouse_id=zeist.id, quantity=1, reason="r", user_id=None,
                           idempotency_key="abc-1")


def test_status_changes_are_events_and_follow_the_state_machine(db, users) -> None:
    item, zeist = factories.item(), factories.warehouse()
    lot = receive(item, zeist, 10, status=QualityStatus.QUARANTINE).lot
    services.change_lot_status(lot_id=lot.id, status=QualityStatus.RELEASED, reason="checked",
                               user_id=users["logistics"].id)
    services.change_lot_status(lot_id=lot.id, status=QualityStatus.RECALLED, reason="supplier recall",
                               user_id=users["logistics"].id)
    with pytest.raises(InvalidTransition, match="is recalled and cannot become released"):
        services.change_lot_status(lot_id=lot.id, status=QualityStatus.RELEASED, reason="x", user_id=None)
    events = db.scalars(select(LotStatusEvent).where(LotStatusEvent.lot_id == lot.id).order_by(LotStatusEvent.id))
    assert [(e.from_status, e.to_status) for e in events] == [
        (None, QualityStatus.QUARANTINE), (QualityStatus.QUARANTINE, QualityStatus.RELEASED),
        (QualityStatus.RELEASED, QualityStatus.RECALLED),
    ]
    services.write_off(lot_id=lot.id, warehouse_id=zeist.id, quantity=10, reason="recall", user_id=None)
    assert balance(db, lot, zeist) == (0, 0)


def test_nightly_expiry_marks_lots_past_their_date(db, stock) -> None:
    lot = stock.lot
    assert services.mark_expired_lots(lot.expiry_date) == []
    expired = services.mark_expired_lots(lot.expiry_date + dt.timedelta(days=1))
    assert [x.id for x in expired] == [lot.id]
    assert lot.quality_status is QualityStatus.EXPIRED


def test_fefo_takes_the_earliest_usable_expiry_first_and_says_what_is_missing(db) -> None:
    item, zeist, tilburg = factories.item(), factories.warehouse(), factories.warehouse()
    late = receive(item, zeist, 100, expiry_days=400).lot
    early = receive(item, tilburg, 30, expiry_days=100).lot
    receive(item, zeist, 500, expiry_days=20)  # too close to expiry for a 30-day minimum
    receive(item, zeist, 500, status=QualityStatus.QUARANTINE)
    proposal = queries.propose_picks(item.id, 200, min_shelf_life_days=30)
    assert [(line.lot.id, line.quantity) for line in proposal.lines] == [(early.id, 30), (late.id, 100)]
    assert proposal.shortfall == 70
    only_zeist = queries.propose_picks(item.id, 50, zeist.id, min_shelf_life_days=30)
    assert [(line.lot.id, line.quantity) for line in only_zeist.lines] == [(late.id, 50)]


def test_check_ledger_finds_no_difference_after_bookings_and_finds_a_tampered_balance(db, stock) -> None:
    zeist, tilburg, lot = stock.zeist, stock.tilburg, stock.lot
    services.transfer(lot_id=lot.id, warehouse_id=zeist.id, to_warehouse_id=tilburg.id, quantity=7, reason="r",
                      user_id=None)
    services.issue(lot_id=lot.id, warehouse_id=tilburg.id, quantity=3, reason="r", user_id=None)
    assert queries.check_ledger() == []
    row = db.get(StockBalance, (lot.id, tilburg.id))
    row.on_hand = 99
    db.flush()
    differences = queries.check_ledger()
    assert [(d.lot_id, d.warehouse_id, d.balance, d.ledger) for d in differences] == [(lot.id, tilburg.id, 99, 4)]


def test_stock_by_item_splits_usable_and_unusable(db) -> None:
    item, zeist = factories.item(), factories.warehouse()
    receive(item, zeist, 100, expiry_days=50)
    receive(item, zeist, 40, status=QualityStatus.QUARANTINE)
    [row] = queries.stock_by_item(item_id=item.id)
    assert (row.on_hand, row.usable, row.unusable, row.free) == (140, 100, 40, 100)
    assert row.days_until_first_expiry(local_today()) == 50
    assert MovementType.RECEIPT.value == "receipt"
