"""A lot's quality status goes through one gate, for people and for the nightly expiry alike.

The expected moves are written here by hand, not read from the table under test.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from stockpile.errors import Conflict, InvalidTransition
from stockpile.inventory import services
from stockpile.inventory.models import LotStatusEvent, QualityStatus
from tests import factories
from tests.inventory.helpers import receive

Q = QualityStatus
# from: the statuses a lot may move to. A quarantined lot past its date expires too: it can never be released.
MOVES = """
quarantine  released blocked recalled expired
released    blocked recalled expired
blocked     released recalled expired
recalled
expired
"""
ALLOWED = {Q(words[0]): {Q(word) for word in words[1:]} for words in map(str.split, MOVES.strip().splitlines())}
# What the nightly expiry leaves of a lot of each status once its date has passed.
AFTER_EXPIRY = {Q.QUARANTINE: Q.EXPIRED, Q.RELEASED: Q.EXPIRED, Q.BLOCKED: Q.EXPIRED, Q.RECALLED: Q.RECALLED,
                Q.EXPIRED: Q.EXPIRED}


def _lot_in(status: QualityStatus, db, expiry_days: int = 365):
    item, warehouse = factories.item(), factories.warehouse()
    lot = receive(item, warehouse, 10, status=Q.QUARANTINE, expiry_days=expiry_days).lot
    lot.quality_status = status  # arranging only: the gate under test is not used to get here
    db.flush()
    return lot


@pytest.mark.parametrize(("source", "target"), [(a, b) for a in Q for b in Q if a is not b])
def test_a_person_moves_a_lot_exactly_as_the_table_says(db, users, source, target) -> None:
    lot = _lot_in(source, db)
    if target in ALLOWED[source]:
        services.change_lot_status(lot_id=lot.id, status=target, reason="checked", user_id=users["logistics"].id)
        assert lot.quality_status is target
        event = db.scalars(select(LotStatusEvent).where(LotStatusEvent.lot_id == lot.id)
                           .order_by(LotStatusEvent.id.desc())).first()
        assert (event.from_status, event.to_status, event.user_id) == (source, target, users["logistics"].id)
    else:
        with pytest.raises(InvalidTransition, match=f"is {source.value} and cannot become {target.value}"):
            services.change_lot_status(lot_id=lot.id, status=target, reason="checked", user_id=None)
        assert lot.quality_status is source


@pytest.mark.parametrize("status", list(Q))
def test_the_nightly_expiry_goes_through_the_same_gate(db, status) -> None:
    lot = _lot_in(status, db, expiry_days=5)
    expired = services.mark_expired_lots(lot.expiry_date + dt.timedelta(days=1))
    assert lot.quality_status is AFTER_EXPIRY[status]
    assert ([x.id for x in expired] == [lot.id]) is (AFTER_EXPIRY[status] is not status)
    events = db.scalars(select(LotStatusEvent).where(LotStatusEvent.lot_id == lot.id,
                                                     LotStatusEvent.to_status == Q.EXPIRED)).all()
    assert len(events) == (1 if AFTER_EXPIRY[status] is not status else 0)


def test_an_expired_date_cannot_be_released(db) -> None:
    lot = _lot_in(Q.BLOCKED, db, expiry_days=5)
    lot.expiry_date = lot.expiry_date - dt.timedelta(days=10)
    db.flush()
    with pytest.raises(Conflict, match="expired on"):
        services.change_lot_status(lot_id=lot.id, status=Q.RELEASED, reason="checked", user_id=None)
