"""The logistics pages: booking through forms, refusals beside the field, overviews, CSV out."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re

import pytest
from sqlalchemy import func, select

from stockpile.db import local_today
from stockpile.inventory import services
from stockpile.inventory.models import Lot, QualityStatus, StockBalance, StockMovement
from tests import factories
from tests.inventory.helpers import receive


def counts(db):
    return (db.scalar(select(func.count()).select_from(StockMovement)),
            db.scalar(select(func.count()).select_from(Lot)),
            db.scalar(select(func.coalesce(func.sum(StockBalance.on_hand), 0))))


def test_logistics_receives_a_new_lot_through_the_form(as_role, db, stock) -> None:
    item, zeist = stock.item, stock.zeist
    expiry = (local_today() + dt.timedelta(days=400)).isoformat()
    response = as_role("logistics").post("/inventory/book/receipt", data={
        "item_id": item.id, "lot_number": "L-NEW", "supplier": "Acme", "expiry_date": expiry,
        "quality_status": "quarantine", "warehouse_id": zeist.id, "quantity": "25", "reason": "delivery"})
    assert response.status_code == 302
    lot = db.scalar(select(Lot).where(Lot.lot_number == "L-NEW"))
    assert response.headers["Location"].endswith(f"/inventory/lots/{lot.id}")
    page = as_role("continuity").get(f"/inventory/lots/{lot.id}")
    assert page.status_code == 200
    for text in (b"L-NEW", b"quarantine", b"delivery"):
        assert text in page.data


@pytest.mark.parametrize(("kind", "extra"), [("transfer", {"to_warehouse_id": "T"}), ("issue", {}),
                                             ("adjustment", {"direction": "decrease"}), ("write_off", {})])
def test_each_booking_form_books(as_role, db, stock, kind, extra) -> None:
    zeist, tilburg, lot = stock.zeist, stock.tilburg, stock.lot
    data = {"lot_id": lot.id, "warehouse_id": zeist.id, "quantity": "10", "reason": "r",
            **{k: (tilburg.id if v == "T" else v) for k, v in extra.items()}}
    assert as_role("logistics").get(f"/inventory/book/{kind}?lot_id={lot.id}").status_code == 200
    response = as_role("admin").post(f"/inventory/book/{kind}", data=data)
    assert response.status_code == 302
    assert db.get(StockBalance, (lot.id, zeist.id), populate_existing=True).on_hand == 490


def test_issuing_more_than_is_free_re_renders_with_422_and_the_numbers(as_role, db, stock) -> None:
    zeist, lot = stock.zeist, stock.lot
    before = counts(db)
    response = as_role("logistics").post("/inventory/book/issue", data={
        "lot_id": lot.id, "warehouse_id": zeist.id, "quantity": "501", "reason": "VR09"})
    assert response.status_code == 422
    assert b"Only 500 of 501 units free in lot L-2291 at WH-ZEIST." in response.data
    assert b'id="quantity-errors"' in response.data
    assert counts(db) == before


@pytest.mark.parametrize("quantity", ["0", "-5", "2.5", "ten"])
def test_bad_quantities_are_refused_beside_the_field(as_role, db, stock, quantity) -> None:
    zeist, lot = stock.zeist, stock.lot
    before = counts(db)
    response = as_role("logistics").post("/inventory/book/write_off", data={
        "lot_id": lot.id, "warehouse_id": zeist.id, "quantity": quantity, "reason": "r"})
    assert response.status_code == 422
    assert b'id="quantity-errors"' in response.data
    assert counts(db) == before


def test_transfer_to_the_same_warehouse_and_booking_on_quarantine_are_refused(as_role, db, stock) -> None:
    item, zeist, lot = stock.item, stock.zeist, stock.lot
    before = counts(db)
    same = as_role("logistics").post("/inventory/book/transfer", data={
        "lot_id": lot.id, "warehouse_id": zeist.id, "to_warehouse_id": zeist.id, "quantity": "1", "reason": "r"})
    assert same.status_code == 422
    assert b'id="to_warehouse_id-errors"' in same.data
    held = receive(item, zeist, 5, status=QualityStatus.QUARANTINE).lot
    before = counts(db)
    refused = as_role("logistics").post("/inventory/book/issue", data={
        "lot_id": held.id, "warehouse_id": zeist.id, "quantity": "1", "reason": "r"})
    assert refused.status_code == 422
    assert b"is quarantine; only released stock can be used" in refused.data
    assert counts(db) == before


def test_expiry_before_manufacture_is_shown_beside_the_expiry_date(as_role, db, stock) -> None:
    item, zeist = stock.item, stock.zeist
    before = counts(db)
    response = as_role("logistics").post("/inventory/book/receipt", data={
        "item_id": item.id, "lot_number": "L-X", "supplier": "Acme", "warehouse_id": zeist.id,
        "expiry_date": (local_today() + dt.timedelta(days=10)).isoformat(),
        "manufacture_date": (local_today() + dt.timedelta(days=20)).isoformat(),
        "quality_status": "quarantine", "quantity": "1", "reason": "r"})
    assert response.status_code == 422
    assert b'id="expiry_date-errors"' in response.data
    assert counts(db) == before


def test_status_and_reversal_forms_name_their_action_not_book(as_role, db, stock) -> None:
    lot = stock.lot
    client = as_role("logistics")
    receipt = db.scalar(select(StockMovement).where(StockMovement.lot_id == lot.id))
    assert '<button type="submit">Change status</button>' in client.get(f"/inventory/lots/{lot.id}/status").text
    assert '<button type="submit">Reverse</button>' in client.get(f"/inventory/movements/{receipt.id}/reverse").text
    assert '<button type="submit">Book</button>' in client.get("/inventory/book/receipt").text


def test_status_change_and_reversal_pages(as_role, db, stock) -> None:
    lot = stock.lot
    client = as_role("logistics")
    assert client.post(f"/inventory/lots/{lot.id}/status", data={"status": "blocked", "reason": "damp"}).status_code \
        == 302
    assert db.get(Lot, lot.id, populate_existing=True).quality_status is QualityStatus.BLOCKED
    refused = client.post(f"/inventory/lots/{lot.id}/status", data={"status": "quarantine", "reason": "x"})
    assert refused.status_code == 422
    receipt = db.scalar(select(StockMovement).where(StockMovement.lot_id == lot.id))
    assert client.post(f"/inventory/movements/{receipt.id}/reverse", data={"reason": "wrong"}).status_code == 302
    reversal = db.scalar(select(StockMovement).where(StockMovement.reverses_id == receipt.id))
    before = counts(db)
    again = client.post(f"/inventory/movements/{reversal.id}/reverse", data={"reason": "undo"})
    assert again.status_code == 422
    assert b"itself a reversal" in again.data
    assert counts(db) == before


def test_overviews_and_dashboard_show_real_figures(as_role, db, stock) -> None:
    item, zeist = stock.item, stock.zeist
    client = as_role("continuity")
    for path in ("/inventory/stock", f"/inventory/items/{item.id}", "/inventory/warehouses",
                 f"/inventory/warehouses/{zeist.id}", "/inventory/expiring?days=90", "/inventory/ledger"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert b"L-2291" in client.get(f"/inventory/items/{item.id}").data
    dashboard = as_role("logistics").get("/")
    assert b"Units on hand" in dashboard.data
    assert client.get("/inventory/book/issue").status_code == 403


def test_region_users_cannot_see_inventory_pages(as_role, stock) -> None:
    for path in ("/inventory/stock", "/inventory/ledger", "/inventory/stock.csv", "/inventory/book/receipt"):
        assert as_role("region").get(path).status_code == 403


def test_ledger_filters_page_and_exports_parse_back(as_role, db, stock) -> None:
    item, zeist, tilburg, lot = stock.item, stock.zeist, stock.tilburg, stock.lot
    client = as_role("logistics")
    client.post("/inventory/book/transfer", data={"lot_id": lot.id, "warehouse_id": zeist.id,
                                                  "to_warehouse_id": tilburg.id, "quantity": "7", "reason": "r"})
    page = client.get(f"/inventory/ledger?type=transfer&warehouse_id={tilburg.id}")
    assert b"1 movements." in page.data
    rows = list(csv.DictReader(io.StringIO(client.get(f"/inventory/ledger.csv?item_id={item.id}").data.decode())))
    assert sorted(r["type"] for r in rows) == ["receipt", "transfer"]
    assert {r["lot_number"] for r in rows} == {"L-2291"}
    stock_rows = list(csv.DictReader(io.StringIO(client.get("/inventory/stock.csv").data.decode())))
    [mine] = [r for r in stock_rows if r["item_code"] == item.code]
    assert (int(mine["on_hand"]), int(mine["usable"])) == (500, 500)


def test_the_ledger_filters_offer_all_in_words_never_zero(as_role, db) -> None:
    factories.item(code="FFP2-ALL")
    page = as_role("logistics").get("/inventory/ledger", headers={"Accept-Language": "nl"})
    assert page.text.count('<option value="0">alle</option>') == 2  # item and warehouse
    assert '<option value="">alle</option>' in page.text  # type
    assert ">0</option>" not in page.text


def test_a_lots_movements_come_a_page_at_a_time_newest_first(app, as_role, db, stock, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "PAGE_SIZE", 3)
    for quantity in range(1, 7):
        receive(stock.item, stock.zeist, quantity, lot_number="L-2291")
    expected = [m.id for m in db.scalars(select(StockMovement).where(StockMovement.lot_id == stock.lot.id)
                                         .order_by(StockMovement.created_at.desc(), StockMovement.id.desc()))]
    page, seen, path = as_role("logistics"), [], f"/inventory/lots/{stock.lot.id}"
    while path:
        text = page.get(path).text
        ids = [int(i) for i in re.findall(r"<tr><td>(\d+)</td>", text)]
        assert 0 < len(ids) <= 3
        seen += ids
        older = re.search(r'href="([^"]*before=\d+)"', text)
        path = html.unescape(older.group(1)) if older else None
    assert seen == expected  # all seven (the first receipt and six more), each once, newest first
    assert "Newest movements" in text


def test_a_reversal_on_a_newer_page_still_hides_the_reverse_link(app, as_role, db, stock, users, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "PAGE_SIZE", 1)
    first = db.scalar(select(StockMovement).where(StockMovement.lot_id == stock.lot.id))
    reversal = services.reverse(movement_id=first.id, reason="booked twice", user_id=users["logistics"].id)
    older = as_role("logistics").get(f"/inventory/lots/{stock.lot.id}?before={reversal.id}").text
    assert f"<tr><td>{first.id}</td>" in older
    assert f"/inventory/movements/{first.id}/reverse" not in older
