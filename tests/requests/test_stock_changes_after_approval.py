"""What happens to an approved request when its reserved lot is recalled, or its picked issue is reversed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from stockpile.errors import Conflict
from stockpile.inventory import services as inventory
from stockpile.inventory.models import QualityStatus, StockBalance
from stockpile.inventory.queries import check_ledger
from stockpile.requests import reservations, services
from stockpile.requests.models import RequestState
from tests import factories
from tests.inventory.helpers import receive
from tests.requests.helpers import submitted


def reserved_on(db, lot) -> int:
    return sum(db.scalars(select(StockBalance.reserved).where(StockBalance.lot_id == lot.id)
                          .execution_options(populate_existing=True)))


@pytest.fixture
def approved(db, users):
    item, warehouse = factories.item(), factories.warehouse()
    first = receive(item, warehouse, 40, expiry_days=100).lot
    request = submitted(users["region"], factories.process(), [(item, 40)])
    services.approve(request, users["continuity"], {request.lines[0].id: (40, "")})
    return item, warehouse, first, request


def test_a_recalled_lot_hands_its_reservation_to_another_lot(db, users, approved) -> None:
    item, warehouse, first, request = approved
    second = receive(item, warehouse, 100, expiry_days=300).lot
    inventory.change_lot_status(lot_id=first.id, status=QualityStatus.RECALLED, reason="supplier recall",
                                user_id=users["logistics"].id)
    assert reserved_on(db, first) == 0
    assert reserved_on(db, second) == 40
    services.pick(request, users["logistics"])
    assert request.lines[0].quantity_issued == 40
    assert check_ledger() == []


def test_a_recall_nothing_can_replace_takes_the_units_off_the_approval_with_a_note(db, users, approved) -> None:
    _item, _warehouse, first, request = approved
    inventory.change_lot_status(lot_id=first.id, status=QualityStatus.BLOCKED, reason="damp boxes",
                                user_id=users["logistics"].id)
    line = request.lines[0]
    assert line.quantity_approved == 0
    assert "40 units lost with lot" in line.approval_note
    assert reserved_on(db, first) == 0
    inventory.write_off(lot_id=first.id, warehouse_id=_warehouse.id, quantity=40, reason="damp", user_id=None)
    assert check_ledger() == []


def test_the_nightly_expiry_also_moves_reservations(db, users, approved) -> None:
    item, warehouse, first, request = approved
    second = receive(item, warehouse, 100, expiry_days=400).lot
    inventory.mark_expired_lots(first.expiry_date + __import__("datetime").timedelta(days=1))
    assert reserved_on(db, second) == 40
    assert request.state is RequestState.APPROVED


def test_an_issue_picked_for_a_request_cannot_be_reversed(db, users, approved) -> None:
    _item, _warehouse, _first, request = approved
    services.pick(request, users["logistics"])
    movement_id = request.lines[0].reservations[0].issue_movement_id
    with pytest.raises(Conflict, match="was picked for request"):
        inventory.reverse(movement_id=movement_id, reason="oops", user_id=None)


def test_free_stock_leaves_out_lots_too_close_to_expiry(db, users) -> None:
    item, warehouse = factories.item(), factories.warehouse()
    receive(item, warehouse, 50, expiry_days=10)
    receive(item, warehouse, 70, expiry_days=365)
    assert reservations.usable_free(item.id) == 70


def test_a_retried_reversal_with_its_key_returns_the_first_reversal(db) -> None:
    item, warehouse = factories.item(), factories.warehouse()
    receipt = receive(item, warehouse, 10)
    first = inventory.reverse(movement_id=receipt.id, reason="wrong lot", user_id=None, idempotency_key="rev-1")
    again = inventory.reverse(movement_id=receipt.id, reason="wrong lot", user_id=None, idempotency_key="rev-1")
    assert again.id == first.id
