"""Regression tests of issue 9's probes: the need counted once, whatever rationing, a re-plan, a rejection or a
re-ask did to the request. Each reproduces the numbers of the issue through the service functions."""

from __future__ import annotations

import datetime as dt

import pytest

from stockpile.db import local_today
from stockpile.errors import FieldErrors
from stockpile.forecast import demand
from stockpile.inventory import services as inventory
from stockpile.inventory.models import QualityStatus
from stockpile.requests import scarcity, services
from tests import factories
from tests.inventory.helpers import receive
from tests.requests.helpers import draft_data, submitted

YESTERDAY = local_today() - dt.timedelta(days=1)


def counted(item) -> int:
    """Units of the item the forecast's history counts from requests."""
    return sum(row.quantity for row in demand.request_demand(YESTERDAY) if row.item_id == item.id)


def accept_proposal(item, reviewer) -> dict[int, int]:
    """Accept the rationing proposal as the page offers it; returns line id -> units granted."""
    proposal = scarcity.propose(item.id)
    granted = {row.line.id: row.proposed for row in proposal.rows}
    services.accept_rationing(item.id, dict(granted), reviewer)
    return granted


@pytest.fixture
def stock(db):
    def make(quantity, **kw):
        item = factories.item(**kw)
        receive(item, factories.warehouse(), quantity)
        return item
    return make


def test_rationing_to_zero_an_older_request_still_counts_its_ask(users, stock) -> None:
    """160 asked against 100 free: the older tier-3 ask gets nothing, the tier-1 ask all; 160 counted, not 100."""
    item = stock(100)
    older = submitted(users["region"], factories.process(tier=3), [(item, 60)])
    newer = submitted(users["other_region"], factories.process(tier=1), [(item, 100)])
    granted = accept_proposal(item, users["continuity"])
    assert granted == {older.lines[0].id: 0, newer.lines[0].id: 100}
    assert older.state.value == "rejected"
    assert older.lines[0].cut_for_scarcity is True
    assert newer.lines[0].cut_for_scarcity is False  # given in full
    assert counted(item) == 160


def test_the_first_request_a_rationing_decides_is_cut_for_scarcity_too(users, stock) -> None:
    """Two asks of 80 against 100 free share 50/50: both are cut for scarcity; 160 counted, not 130."""
    item = stock(100)
    process = factories.process(tier=1)
    first = submitted(users["region"], process, [(item, 80)])
    second = submitted(users["other_region"], process, [(item, 80)])
    accept_proposal(item, users["continuity"])
    assert [first.lines[0].quantity_approved, second.lines[0].quantity_approved] == [50, 50]
    assert first.lines[0].cut_for_scarcity is True
    assert second.lines[0].cut_for_scarcity is True
    assert counted(item) == 160


def test_a_demo_like_rationing_counts_all_210_asked(users, stock) -> None:
    """The demo's case: 190 free, a tier-1 ask of 190 and an older tier-2 ask of 20; 210 counted, not 190."""
    item = stock(190)
    older = submitted(users["region"], factories.process(tier=2), [(item, 20)])
    submitted(users["other_region"], factories.process(tier=1), [(item, 190)])
    accept_proposal(item, users["continuity"])
    assert older.state.value == "rejected"
    assert counted(item) == 210


def test_a_rationing_without_scarcity_cuts_nothing_for_scarcity(users, stock) -> None:
    """Enough stock: the proposal gives every ask in full and nothing is marked scarce."""
    item = stock(500)
    request = submitted(users["region"], factories.process(), [(item, 80)])
    accept_proposal(item, users["continuity"])
    assert request.lines[0].cut_for_scarcity is False
    assert counted(item) == 80


def test_a_recall_that_takes_the_approval_away_still_counts_the_ask(users, stock) -> None:
    """80 approved from one lot, the lot recalled, nothing to replace it: 80 counted, not 0."""
    item = factories.item()
    lot = receive(item, factories.warehouse(), 80).lot
    request = submitted(users["region"], factories.process(), [(item, 80)])
    services.approve(request, users["continuity"], {request.lines[0].id: (80, "")})
    inventory.change_lot_status(lot_id=lot.id, status=QualityStatus.RECALLED, reason="supplier recall",
                                user_id=users["logistics"].id)
    line = request.lines[0]
    assert line.quantity_approved == 0
    assert line.cut_for_scarcity is True
    assert counted(item) == 80


def test_the_reviewer_must_say_whether_a_rejection_is_for_scarcity(users, stock) -> None:
    item = stock(100)
    request = submitted(users["region"], factories.process(), [(item, 500)])
    with pytest.raises(FieldErrors) as refused:
        services.reject(request, users["continuity"], "", None)
    assert set(refused.value.errors) == {"reason", "for_scarcity"}
    assert request.state.value == "submitted"


def test_a_rejection_for_another_reason_counts_nothing_even_while_stock_is_short(users, stock) -> None:
    """A duplicate rejected while stock is short, then asked again: 150 counted for a need of 150, not 300."""
    item = stock(100)
    process = factories.process()
    duplicate = submitted(users["region"], process, [(item, 150)])
    services.reject(duplicate, users["continuity"], "duplicate of your other request", for_scarcity=False)
    submitted(users["region"], process, [(item, 150)])
    assert duplicate.lines[0].cut_for_scarcity is False
    assert counted(item) == 150


def test_a_re_ask_of_a_rejection_for_scarcity_counts_the_need_once(users, stock) -> None:
    item = stock(100)
    process = factories.process()
    original = submitted(users["region"], process, [(item, 150)])
    services.reject(original, users["continuity"], "nothing free this week", for_scarcity=True)
    again = submitted(users["region"], process, [(item, 150)], reask_of_id=original.id)
    assert again.reask_of is original
    assert counted(item) == 150


def test_asking_again_after_a_cut_counts_the_need_once(users, stock) -> None:
    """300 asked, 100 approved (all there was), 200 asked again: 300 counted, not 500; and a new need adds."""
    item = stock(100)
    process = factories.process()
    original = submitted(users["region"], process, [(item, 300)])
    services.approve(original, users["continuity"], {original.lines[0].id: (100, "all we have")})
    assert original.lines[0].cut_for_scarcity is True
    again = submitted(users["region"], process, [(item, 200)], reask_of_id=original.id)
    assert counted(item) == 300
    services.reject(again, users["continuity"], "still nothing free", for_scarcity=True)
    assert counted(item) == 300  # the re-ask cut to nothing is still the same need
    submitted(users["region"], process, [(item, 250)], reask_of_id=again.id)  # 50 more than was still unmet
    assert counted(item) == 350


def test_a_re_ask_must_name_a_rejected_or_cut_request_of_the_same_region(users, stock) -> None:
    item = stock(1000)
    process = factories.process()
    theirs = submitted(users["other_region"], process, [(item, 10)])
    services.reject(theirs, users["continuity"], "duplicate", for_scarcity=False)
    served = submitted(users["region"], process, [(item, 10)])
    services.approve(served, users["continuity"], {served.lines[0].id: (10, "")})
    waiting = submitted(users["region"], process, [(item, 10)])
    for original, message in [(theirs, "Choose a request of your own region."),
                              (served, f"Request {served.number} was neither rejected nor cut"),
                              (waiting, f"Request {waiting.number} was neither rejected nor cut")]:
        with pytest.raises(FieldErrors) as refused:
            services.create_draft(users["region"], draft_data(process, [(item, 10)], reask_of_id=original.id))
        assert message in refused.value.errors["reask_of_id"][0]


def test_asks_awaiting_review_are_pending_demand(users, stock) -> None:
    item, other = stock(100), stock(100)
    process = factories.process()
    submitted(users["region"], process, [(item, 300)])
    submitted(users["other_region"], process, [(item, 20), (other, 5)])
    services.create_draft(users["region"], draft_data(process, [(item, 999)]))  # a draft asks nothing yet
    assert demand.pending_demand([item.id, other.id]) == {item.id: 320, other.id: 5}
