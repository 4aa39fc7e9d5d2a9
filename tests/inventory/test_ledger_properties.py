"""Property: whatever sequence of bookings people try, balances equal the ledger and never go negative."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from stockpile.errors import DomainError
from stockpile.inventory import queries, services
from stockpile.inventory.models import QualityStatus, StockBalance, StockMovement
from tests import factories
from tests.inventory.helpers import receive

WAREHOUSES = 3
LOTS = 3
quantities = st.integers(min_value=-2, max_value=60)  # zero and negatives must be refused without a trace
places = st.integers(min_value=0, max_value=WAREHOUSES - 1)
lots = st.integers(min_value=0, max_value=LOTS - 1)
steps = st.one_of(
    st.tuples(st.just("receipt"), lots, places, quantities),
    st.tuples(st.just("transfer"), lots, places, places, quantities),
    st.tuples(st.just("issue"), lots, places, quantities),
    st.tuples(st.just("adjust"), lots, places, quantities, st.booleans()),
    st.tuples(st.just("write_off"), lots, places, quantities),
    st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=30)),
    st.tuples(st.just("status"), lots, st.sampled_from(list(QualityStatus))),
)


def book(step, lot_ids, wh_ids, movement_ids):
    """Translate one generated step into a service call."""
    kind, *args = step
    common = {"reason": "property", "user_id": None}
    if kind == "receipt":
        lot = services.get_lot(lot_ids[args[0]])
        return services.receive(item_id=lot.item_id, lot_number=lot.lot_number, supplier=lot.supplier,
                                expiry_date=lot.expiry_date, warehouse_id=wh_ids[args[1]], quantity=args[2], **common)
    if kind == "transfer":
        return services.transfer(lot_id=lot_ids[args[0]], warehouse_id=wh_ids[args[1]],
                                 to_warehouse_id=wh_ids[args[2]], quantity=args[3], **common)
    if kind in ("issue", "write_off"):
        verb = services.issue if kind == "issue" else services.write_off
        return verb(lot_id=lot_ids[args[0]], warehouse_id=wh_ids[args[1]], quantity=args[2], **common)
    if kind == "adjust":
        return services.adjust(lot_id=lot_ids[args[0]], warehouse_id=wh_ids[args[1]], quantity=args[2],
                               increase=args[3], **common)
    if kind == "reverse":
        return services.reverse(movement_id=movement_ids[args[0] % len(movement_ids)], **common)
    return services.change_lot_status(lot_id=lot_ids[args[0]], status=args[1], **common)


def ledger_size(db) -> int:
    return db.scalar(select(func.count()).select_from(StockMovement))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(steps, min_size=1, max_size=25))
def test_balances_always_equal_the_ledger_and_never_go_negative(db, sequence) -> None:
    # Each example starts from fresh stock; the rollback at its end leaves nothing for the next one.
    try:
        item = factories.item()
        warehouses = [factories.warehouse() for _ in range(WAREHOUSES)]
        lot_ids = [receive(item, warehouses[n], 50).lot_id for n in range(LOTS)]
        wh_ids = [w.id for w in warehouses]
        movement_ids = list(db.scalars(select(StockMovement.id).where(StockMovement.lot_id.in_(lot_ids))))
        for step in sequence:
            before = ledger_size(db)
            try:
                with db.begin_nested():
                    movement = book(step, lot_ids, wh_ids, movement_ids)
            except DomainError:
                assert ledger_size(db) == before  # a refused booking leaves no trace
            else:
                if step[0] != "status":
                    movement_ids.append(movement.id)
            assert queries.check_ledger() == []
            assert db.scalar(select(func.min(StockBalance.on_hand))) >= 0
    finally:
        db.rollback()
