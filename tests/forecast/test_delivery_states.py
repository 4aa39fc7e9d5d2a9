"""An expected delivery goes through one gate; the expected moves are written here by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from stockpile.db import local_today
from stockpile.errors import InvalidTransition
from stockpile.forecast import services
from stockpile.forecast.models import DeliveryStatus
from tests import factories

D = DeliveryStatus
MOVES = {D.EXPECTED: {D.RECEIVED, D.CANCELLED}, D.RECEIVED: set(), D.CANCELLED: set()}


@pytest.mark.parametrize(("source", "target"), [(a, b) for a in D for b in D])
def test_a_delivery_moves_exactly_as_the_table_says(db, users, source, target) -> None:
    delivery = services.record_delivery(item_id=factories.item().id, quantity=100, supplier="Acme", note="",
                                        expected_date=local_today() + dt.timedelta(days=3), user_id=None)
    delivery.status = source  # arranging only
    db.flush()
    if target in MOVES[source]:
        services.close_delivery(delivery.id, target, users["logistics"].id)
        assert delivery.status is target
        assert delivery.closed_at is not None
    else:
        with pytest.raises(InvalidTransition, match=f"is {source.value} and cannot become {target.value}"):
            services.close_delivery(delivery.id, target, users["logistics"].id)
        assert delivery.status is source
