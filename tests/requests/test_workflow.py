"""The whole path from draft to delivered through the services (the tables themselves: test_policy.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from stockpile.db import local_today
from stockpile.errors import Conflict, FieldErrors, Forbidden, InvalidTransition
from stockpile.inventory.models import StockBalance
from stockpile.inventory.queries import check_ledger
from stockpile.requests import services
from stockpile.requests.models import RequestState, SupplyRequest
from tests import factories
from tests.inventory.helpers import receive
from tests.requests.helpers import draft_data, submitted

S = RequestState


@pytest.fixture
def world(db, users):
    item, other, warehouse = factories.item(code="FFP2-T"), factories.item(code="GLOVE-T"), factories.warehouse()
    receive(item, warehouse, 1000)
    receive(other, warehouse, 1000)
    process = factories.process(tier=1, code="CARE-T")
    return {"item": item, "other": other, "warehouse": warehouse, "process": process, **users}


def test_region_takes_a_request_to_delivered_with_continuity_and_logistics(world, db) -> None:
    region, reviewer, logistics = world["region"], world["continuity"], world["logistics"]
    request = submitted(region, world["process"], [(world["item"], 300), (world["other"], 100)])
    lines = {line.item_id: line for line in request.lines}
    services.approve(request, reviewer, {lines[world["item"].id].id: (200, "stock is tight"),
                                           lines[world["other"].id].id: (100, "")})
    assert request.state is S.PARTIALLY_APPROVED
    reserved = db.scalar(select(StockBalance.reserved).where(StockBalance.item_id == world["item"].id))
    assert reserved == 200
    services.pick(request, logistics)
    assert [line.quantity_issued for line in request.lines] == [200, 100]
    assert db.scalar(select(StockBalance.reserved).where(StockBalance.item_id == world["item"].id)) == 0
    services.ship(request, logistics, "DHL", "JD0001")
    services.confirm_receipt(request, region, {lines[world["item"].id].id: (198, "2 boxes damaged"),
                                               lines[world["other"].id].id: (100, "")})
    assert request.state is S.DELIVERED
    assert lines[world["item"].id].discrepancy == -2
    assert [h.to_state for h in request.history] == [S.SUBMITTED, S.PARTIALLY_APPROVED, S.PICKING, S.SHIPPED,
                                                     S.DELIVERED]
    assert check_ledger() == []


def test_submitter_cannot_approve_and_a_region_cannot_review(world) -> None:
    request = submitted(world["region"], world["process"], [(world["item"], 10)])
    with pytest.raises(Forbidden):
        services.approve(request, world["region"], {request.lines[0].id: (10, "")})
    request.submitted_by_id = world["continuity"].id  # as if the reviewer had submitted it
    with pytest.raises(Forbidden, match="someone else must review it"):
        services.approve(request, world["continuity"], {request.lines[0].id: (10, "")})


@pytest.mark.parametrize(("quantity", "note", "message"), [
    (11, "", "more than the 10 requested"),
    (-1, "", "0 or more"),
    (5, "", "Say why less than requested"),
    (0, "none left", "Approving nothing is a rejection"),
])
def test_bad_approvals_are_refused_and_reserve_nothing(world, db, quantity, note, message) -> None:
    request = submitted(world["region"], world["process"], [(world["item"], 10)])
    with pytest.raises(FieldErrors) as error:
        services.approve(request, world["continuity"], {request.lines[0].id: (quantity, note)})
    assert message in str(error.value.errors)
    assert request.state is S.SUBMITTED
    assert db.scalar(select(StockBalance.reserved).where(StockBalance.item_id == world["item"].id)) == 0


def test_approving_more_than_is_free_for_the_process_is_refused(world, db) -> None:
    police = factories.process(tier=2, code="POLICE-T")
    services.set_allocation(police.id, world["item"].id, 900, "ring-fence for riots", world["continuity"])
    request = submitted(world["region"], world["process"], [(world["item"], 150)])
    with pytest.raises(Conflict, match="Only 100 of 150 units of FFP2-T are free for CARE-T"):
        services.approve(request, world["continuity"], {request.lines[0].id: (150, "")})


def test_approval_draws_on_the_allocation_and_cancellation_gives_it_back(world, db) -> None:
    alloc = services.set_allocation(world["process"].id, world["item"].id, 100, "care first", world["continuity"])
    request = submitted(world["region"], world["process"], [(world["item"], 60)])
    services.approve(request, world["continuity"], {request.lines[0].id: (60, "")})
    assert (alloc.used, alloc.remaining) == (60, 40)
    services.cancel(request, world["continuity"], "wave over")
    assert (alloc.used, alloc.remaining) == (0, 100)
    assert db.scalar(select(StockBalance.reserved).where(StockBalance.item_id == world["item"].id)) == 0
    assert check_ledger() == []


def test_double_submit_is_refused(world) -> None:
    request = submitted(world["region"], world["process"], [(world["item"], 10)])
    with pytest.raises(InvalidTransition, match="is submitted and cannot become submitted"):
        services.submit(request, world["region"])


def test_region_may_not_cancel_after_review_and_continuity_needs_a_reason(world) -> None:
    request = submitted(world["region"], world["process"], [(world["item"], 10)])
    services.approve(request, world["continuity"], {request.lines[0].id: (10, "")})
    with pytest.raises(FieldErrors, match="Once reviewed"):
        services.cancel(request, world["region"])
    with pytest.raises(FieldErrors):
        services.cancel(request, world["continuity"], " ")


@pytest.mark.parametrize(("lines", "extra", "field"), [
    ([], {}, "lines"),
    (["item:0"], {}, "lines"),
    (["item:-3"], {}, "lines"),
    (["inactive:5"], {}, "lines"),
    (["item:5"], {"needed_by": local_today() - dt.timedelta(days=1)}, "needed_by"),
    (["item:5"], {"justification": " "}, "justification"),
    (["item:5"], {"delivery_address": ""}, "delivery_address"),
    (["item:5", "item:6"], {}, "lines"),
])
def test_bad_drafts_are_refused_and_nothing_is_written(world, db, lines, extra, field) -> None:
    inactive = factories.item(active=False)
    items = {"item": world["item"], "inactive": inactive}
    parsed = [(items[spec.split(":")[0]], int(spec.split(":")[1])) for spec in lines]
    before = db.scalars(select(SupplyRequest)).all()
    with pytest.raises(FieldErrors) as error:
        services.create_draft(world["region"], draft_data(world["process"], parsed, **extra))
    assert field in error.value.errors
    assert db.scalars(select(SupplyRequest)).all() == before


def test_fractional_quantity_is_refused(world) -> None:
    with pytest.raises(FieldErrors) as error:
        services.create_draft(world["region"], draft_data(world["process"], [(world["item"], 2.5)]))
    assert error.value.errors["lines"] == ["Line 1: Enter a whole number of units."]


def test_only_region_users_create_requests(world) -> None:
    with pytest.raises(Forbidden):
        services.create_draft(world["logistics"], draft_data(world["process"], [(world["item"], 5)]))


def test_editing_a_draft_keeps_one_line_per_item(world) -> None:
    request = services.create_draft(world["region"], draft_data(world["process"], [(world["item"], 5)]))
    services.update_draft(request, world["region"], draft_data(world["process"], [(world["item"], 8),
                                                                                  (world["other"], 2)]))
    assert sorted((line.item_id, line.quantity_requested) for line in request.lines) == sorted(
        [(world["item"].id, 8), (world["other"].id, 2)])
