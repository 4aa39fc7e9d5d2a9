"""Demand history: zero-filled days, reversed issues left out, and the requests integration point."""

from __future__ import annotations

import datetime as dt

from stockpile.db import local_today
from stockpile.forecast import demand
from stockpile.inventory import services
from tests import factories
from tests.forecast.conftest import issue_on
from tests.inventory.helpers import receive


def test_history_is_daily_with_zeros_and_without_reversed_issues(db) -> None:
    item, other, wh = factories.item(), factories.item(), factories.warehouse()
    lot = receive(item, wh, 1000).lot
    issue_on(db, lot, wh, 30, days_ago=5)
    issue_on(db, lot, wh, 20, days_ago=5)
    issue_on(db, lot, wh, 7, days_ago=2)
    mistaken = issue_on(db, lot, wh, 500, days_ago=3)
    services.reverse(movement_id=mistaken.id, reason="booked on the wrong item", user_id=None)
    today = local_today()
    since, until = today - dt.timedelta(days=6), today - dt.timedelta(days=1)
    history = demand.demand_history([item.id, other.id], since, until)
    national = history[(item.id, None)]
    assert list(national.index.date) == [since + dt.timedelta(days=i) for i in range(6)]
    assert list(national) == [0, 50, 0, 0, 7, 0]  # 6 to 1 days ago; the 500 of 3 days ago was reversed
    assert list(history[(other.id, None)]) == [0] * 6


def test_request_integration_point_is_empty_until_the_requests_domain_lands(db) -> None:
    assert demand.request_demand(local_today() - dt.timedelta(days=30)) == []
    assert demand.committed_demand(factories.item().id) == 0
