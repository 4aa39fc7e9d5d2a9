"""Taking a request from draft to delivered through the web pages alone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from stockpile.db import local_today
from stockpile.requests.models import RequestState, SupplyRequest
from tests import factories


def new_form(process, lines, **kw):
    data = {"essential_process_id": str(process.id),
            "needed_by": (local_today() + dt.timedelta(days=5)).isoformat(),
            "delivery_warehouse_id": "", "delivery_address": "Catharijnesingel 1, Utrecht",
            "contact": "Anna 06-12", "justification": "Second wave in nursing homes", "form_token": "tok-1",
            "action": "submit"}
    for n, (item, quantity) in enumerate(lines):
        data[f"lines-{n}-item_id"] = str(item.id)
        data[f"lines-{n}-quantity"] = str(quantity)
    return {**data, **kw}


def count(db):
    return db.scalar(select(func.count()).select_from(SupplyRequest))


def the_request(db):
    db.expire_all()
    return db.scalars(select(SupplyRequest).order_by(SupplyRequest.id.desc())).first()


def test_draft_to_delivered_through_the_pages(as_role, db, stock) -> None:
    ffp2, gloves, process = stock.item, stock.gloves, stock.process
    region, continuity, logistics = as_role("region"), as_role("continuity"), as_role("logistics")
    assert region.get("/requests/new").status_code == 200
    response = region.post("/requests/new", data=new_form(process, [(ffp2, 300), (gloves, 200)]))
    assert response.status_code == 302, response.text
    request = the_request(db)
    page = region.get(f"/requests/{request.id}")
    assert "submitted" in page.text
    assert "FFP2" in page.text

    queue = continuity.get("/review")
    assert request.number in queue.text
    lines = {line.item_id: line.id for line in request.lines}
    review = continuity.post(f"/review/requests/{request.id}", data={
        "action": "approve", f"qty-{lines[ffp2.id]}": "250", f"note-{lines[ffp2.id]}": "keep a buffer",
        f"qty-{lines[gloves.id]}": "200", f"note-{lines[gloves.id]}": ""})
    assert review.status_code == 302, review.text
    # The message names the state in words, as the badge does, not the enum's "partially_approved".
    assert f"Request {request.number} is now partially approved." in continuity.get(review.location).text
    assert "partially approved" in region.get(f"/requests/{request.id}").text

    pick_list = logistics.get(f"/review/requests/{request.id}/pick")
    assert "Book the picks" in pick_list.text
    assert logistics.post(f"/review/requests/{request.id}/pick").status_code == 302
    shipped = logistics.post(f"/review/requests/{request.id}/ship", data={"carrier": "PostNL", "reference": "3S1"})
    assert shipped.status_code == 302
    assert "shipped" in region.get(f"/requests/{request.id}").text

    confirm = region.post(f"/requests/{request.id}/confirm", data={
        f"received-{lines[ffp2.id]}": "250", f"received-{lines[gloves.id]}": "190",
        f"note-{lines[gloves.id]}": "one box missing"})
    assert confirm.status_code == 302
    final = region.get(f"/requests/{request.id}").text
    assert "delivered" in final
    assert "one box missing" in final
    assert the_request(db).state is RequestState.DELIVERED


def test_sending_the_same_form_twice_creates_one_request(as_role, db, stock) -> None:
    ffp2, process = stock.item, stock.process
    region = as_role("region")
    assert region.post("/requests/new", data=new_form(process, [(ffp2, 10)])).status_code == 302
    before = count(db)
    again = region.post("/requests/new", data=new_form(process, [(ffp2, 10)]))
    assert again.status_code == 422
    assert "This form was already sent" in again.text
    assert count(db) == before


def test_bad_request_form_shows_messages_beside_fields_and_writes_nothing(as_role, db, stock) -> None:
    ffp2, process = stock.item, stock.process
    before = count(db)
    response = as_role("region").post("/requests/new", data=new_form(
        process, [(ffp2, 0)], needed_by=(local_today() - dt.timedelta(days=2)).isoformat(), justification=""))
    assert response.status_code == 422
    assert 'id="justification-errors"' in response.text
    assert "The needed-by date lies in the past." in response.text or 'id="needed_by-errors"' in response.text
    assert count(db) == before


def test_request_with_no_lines_is_refused(as_role, db, stock) -> None:
    process = stock.process
    response = as_role("region").post("/requests/new", data=new_form(process, []))
    assert response.status_code == 422
    assert "A request needs at least one line." in response.text


def test_other_region_gets_404_on_pages(as_role, db, stock) -> None:
    ffp2, process = stock.item, stock.process
    as_role("region").post("/requests/new", data=new_form(process, [(ffp2, 10)]))
    request = the_request(db)
    other = as_role("other_region")
    assert other.get(f"/requests/{request.id}").status_code == 404
    assert other.post(f"/requests/{request.id}/cancel").status_code == 404
    assert other.get(f"/requests/{request.id}/confirm").status_code == 404
    assert request.number not in other.get("/requests").text


def test_region_cannot_open_the_review_pages(as_role, db, stock) -> None:
    ffp2, process = stock.item, stock.process
    as_role("region").post("/requests/new", data=new_form(process, [(ffp2, 10)]))
    request = the_request(db)
    region = as_role("region")
    assert region.get("/review").status_code == 403
    assert region.post(f"/review/requests/{request.id}", data={"action": "approve"}).status_code == 403


def test_approving_more_than_requested_re_renders_with_the_message(as_role, db, stock) -> None:
    ffp2, process = stock.item, stock.process
    as_role("region").post("/requests/new", data=new_form(process, [(ffp2, 10)]))
    request = the_request(db)
    line_id = request.lines[0].id
    response = as_role("continuity").post(f"/review/requests/{request.id}",
                                          data={"action": "approve", f"qty-{line_id}": "11"})
    assert response.status_code == 422
    assert re.search(r"11 is more than the 10 requested", response.text)
    assert the_request(db).state is RequestState.SUBMITTED


def test_rationing_page_proposes_and_accepting_decides_requests(as_role, db, stock, users) -> None:
    ffp2, process = stock.item, stock.process
    police = factories.process(tier=2, code="POLICE-P")
    region = as_role("region")
    region.post("/requests/new", data=new_form(process, [(ffp2, 400)], form_token="a"))
    region.post("/requests/new", data=new_form(police, [(ffp2, 300)], form_token="b"))
    continuity = as_role("continuity")
    assert "Rationing proposal" in continuity.get("/review").text
    page = continuity.get(f"/review/rationing/{ffp2.id}")
    assert page.status_code == 200
    values = dict(re.findall(r'name="(qty-\d+)"[^>]*value="(\d+)"', page.text))
    assert sorted(values.values()) == ["100", "400"]
    shown = re.findall(r'name="line" value="(\d+)"', page.text)
    accepted = continuity.post(f"/review/rationing/{ffp2.id}", data={**values, "line": shown})
    assert accepted.status_code == 302
    states = sorted(r.state.value for r in db.scalars(select(SupplyRequest)))
    assert states == ["approved", "partially_approved"]


def test_overview_and_csv(as_role, db, stock) -> None:
    page = as_role("continuity").get("/review/overview?by=process")
    assert page.status_code == 200
    csv = as_role("continuity").get("/review/overview.csv?by=region")
    assert csv.status_code == 200
    assert csv.text.splitlines()[0].startswith('"region","name","requested"')


def test_allocations_page_sets_and_lists_history(as_role, db, stock) -> None:
    ffp2, process = stock.item, stock.process
    continuity = as_role("continuity")
    response = continuity.post("/review/allocations", data={"essential_process_id": str(process.id),
                                                            "item_id": str(ffp2.id), "quantity": "300",
                                                            "reason": "hospitals first"})
    assert response.status_code == 302
    page = continuity.get("/review/allocations")
    assert "hospitals first" in page.text
    bad = continuity.post("/review/allocations", data={"essential_process_id": str(process.id),
                                                       "item_id": str(ffp2.id), "quantity": "-3", "reason": "x"})
    assert bad.status_code == 422


def test_stock_overview_shows_allocated_reserved_and_free(as_role, db, stock) -> None:
    ffp2, process = stock.item, stock.process
    continuity = as_role("continuity")
    continuity.post("/review/allocations", data={"essential_process_id": str(process.id), "item_id": str(ffp2.id),
                                                 "quantity": "300", "reason": "hospitals first"})
    page = as_role("logistics").get("/inventory/stock")
    row = next(line for line in page.text.split("<tr>") if "FFP2" in line)
    cells = re.findall(r"<td>([^<]*)</td>", row)
    assert "500 piece" in cells  # on hand, grouped as English writes it
    assert cells[-5:-1] == ["500", "300", "200", "0"]  # free, allocated, free beyond allocations, not usable


def test_rationing_never_decides_a_request_the_reviewer_did_not_see(as_role, db, stock) -> None:
    ffp2, process = stock.item, stock.process
    region = as_role("region")
    region.post("/requests/new", data=new_form(process, [(ffp2, 400)], form_token="a"))
    region.post("/requests/new", data=new_form(process, [(ffp2, 300)], form_token="b"))
    continuity = as_role("continuity")
    page = continuity.get(f"/review/rationing/{ffp2.id}")
    values = dict(re.findall(r'name="(qty-\d+)"[^>]*value="(\d+)"', page.text))
    shown = re.findall(r'name="line" value="(\d+)"', page.text)
    region.post("/requests/new", data=new_form(process, [(ffp2, 50)], form_token="c"))  # arrives meanwhile
    stale = continuity.post(f"/review/rationing/{ffp2.id}", data={**values, "line": shown})
    assert stale.status_code == 422
    assert "The proposal changed while you looked at it" in stale.text
    blank = continuity.post(f"/review/rationing/{ffp2.id}", data={"line": shown, f"qty-{shown[0]}": ""})
    assert blank.status_code == 422
    assert sorted(r.state.value for r in db.scalars(select(SupplyRequest))) == ["submitted"] * 3


@pytest.mark.parametrize("item_value", ["²", "99999999999999999999", "abc"])
def test_strange_item_values_are_refused_beside_the_lines_not_a_500(as_role, db, stock, item_value) -> None:
    process = stock.process
    data = new_form(process, [], **{"lines-0-item_id": item_value, "lines-0-quantity": "5",
                                    "delivery_warehouse_id": "x"})
    response = as_role("region").post("/requests/new", data=data)
    assert response.status_code == 422
    assert "Line 1: choose an active item." in response.text


def test_an_absurd_received_quantity_is_refused_not_a_500(as_role, db, stock, users) -> None:
    from stockpile.requests import services
    from tests.requests.helpers import submitted

    ffp2, process = stock.item, stock.process
    request = submitted(users["region"], process, [(ffp2, 5)])
    services.approve(request, users["continuity"], {request.lines[0].id: (5, "")})
    services.pick(request, users["logistics"])
    services.ship(request, users["logistics"], "DHL", "1")
    response = as_role("region").post(f"/requests/{request.id}/confirm",
                                      data={f"received-{request.lines[0].id}": "99999999999999999999"})
    assert response.status_code == 422
    assert "Enter the number of units received" in response.text
