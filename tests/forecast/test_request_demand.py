"""Unconstrained demand from requests: what was asked counts, also when rationing cut it; nothing twice."""

from __future__ import annotations

import datetime as dt

import pytest

from stockpile.db import local_today
from stockpile.forecast import demand
from stockpile.requests import services
from tests import factories
from tests.inventory.helpers import receive
from tests.requests.helpers import draft_data, submitted

YESTERDAY = local_today() - dt.timedelta(days=1)


@pytest.fixture
def world(db, users):
    item, warehouse = factories.item(), factories.warehouse()
    receive(item, warehouse, 100)
    return item, factories.process(), users


def totals(item, since=YESTERDAY):
    rows = demand.request_demand(since)
    return sum(row.quantity for row in rows if row.item_id == item.id), {row.region_id for row in rows}


def test_a_waiting_request_counts_at_what_was_asked_with_its_region(world) -> None:
    item, process, users = world
    submitted(users["region"], process, [(item, 40)])
    services.create_draft(users["region"], draft_data(process, [(item, 999)]))  # a draft is no demand yet
    assert totals(item) == (40, {users["region"].region_id})


def test_a_line_cut_for_scarcity_counts_in_full(world) -> None:
    item, process, users = world
    request = submitted(users["region"], process, [(item, 300)])  # only 100 in stock
    services.approve(request, users["continuity"], {request.lines[0].id: (100, "all we have")})
    assert request.lines[0].cut_for_scarcity is True
    assert totals(item)[0] == 300


def test_a_line_cut_for_another_reason_counts_what_was_approved(world) -> None:
    item, process, users = world
    request = submitted(users["region"], process, [(item, 50)])
    services.approve(request, users["continuity"], {request.lines[0].id: (20, "asked too much")})
    assert request.lines[0].cut_for_scarcity is False
    assert totals(item)[0] == 20


def test_a_rejection_for_scarcity_counts_what_was_asked_and_a_cancellation_nothing(world) -> None:
    item, process, users = world
    scarce = submitted(users["region"], process, [(item, 500)])
    services.reject(scarce, users["continuity"], "nothing left for this tier", for_scarcity=True)
    withdrawn = submitted(users["region"], process, [(item, 7)])
    services.cancel(withdrawn, users["region"])
    assert totals(item)[0] == 500


def test_picked_issues_are_not_counted_again_and_committed_demand_is_approved_not_issued(world) -> None:
    item, process, users = world
    first = submitted(users["region"], process, [(item, 30)])
    services.approve(first, users["continuity"], {first.lines[0].id: (30, "")})
    second = submitted(users["region"], process, [(item, 20)])
    services.approve(second, users["continuity"], {second.lines[0].id: (20, "")})
    assert demand.committed_demand(item.id) == 50
    services.pick(first, users["logistics"])
    assert demand.committed_demand(item.id) == 20
    rows = demand.demand_rows(YESTERDAY, local_today())
    assert sum(r.quantity for r in rows if r.item_id == item.id and r.region_id is None) == 0  # no loose issues
    assert sum(r.quantity for r in rows if r.item_id == item.id) == 50
