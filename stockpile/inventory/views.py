"""Logistics pages that read: stock by item and by warehouse, a lot's history, the ledger, expiry, and their files."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from stockpile.api import MAX_ID
from stockpile.auth.guard import roles_required
from stockpile.auth.models import Role, User
from stockpile.db import local_today, session
from stockpile.errors import FieldErrors, NotFound
from stockpile.inventory import exports, hooks, queries, services
from stockpile.inventory.booking_views import bp as booking_bp
from stockpile.inventory.forms import LedgerFilterForm
from stockpile.inventory.models import QualityStatus, StockMovement, label
from stockpile.local_days import local_day_range
from stockpile.reference.models import Item, Warehouse
from stockpile.web import sheets
from stockpile.web.navigation import NavEntry, Panel, PanelEntry, WebPart

bp = Blueprint("inventory", __name__, url_prefix="/inventory")
READERS = (Role.LOGISTICS, Role.CONTINUITY, Role.ADMIN)
EXPIRY_WINDOWS = (30, 60, 90)
FILE_FORMATS = ",".join(sheets.FORMATS)


@bp.route("/stock")
@roles_required(*READERS)
def stock() -> str:
    """National stock per item with usability and days until the first usable lot expires."""
    return render_template("inventory/stock.html", rows=queries.stock_by_item(), today=local_today(),
                           allocated=hooks.held_back_by_item())


@bp.route(f"/stock.<any({FILE_FORMATS}):fmt>")
@roles_required(*READERS)
def stock_file(fmt: str) -> Response:
    """The stock overview as a CSV or XLSX file."""
    today = local_today()
    return sheets.download("stock", fmt, exports.STOCK_COLUMNS,
                           lambda: exports.stock_rows(queries.stock_by_item(today), today))


@bp.route("/items/<id:item_id>")
@roles_required(*READERS)
def item_stock(item_id: int) -> str:
    """One item's stock: per warehouse, per quality status and lot by lot."""
    item = session().get(Item, item_id)
    if item is None:
        raise NotFound(_l("No such item."))
    lines = queries.balances_for(item_id=item_id)
    return render_template("inventory/item.html", item=item, lines=lines, today=local_today(),
                           per_warehouse=_totals(lines, lambda line: line.warehouse.code),
                           per_status=_totals(lines, lambda line: line.lot.quality_status.value),
                           totals=queries.stock_by_item(item_id=item_id))


def _totals(lines: list[queries.StockLine], key: Any) -> dict[str, int]:
    totals: dict[str, int] = {}
    for line in lines:
        totals[key(line)] = totals.get(key(line), 0) + line.on_hand
    return totals


@bp.route("/warehouses")
@roles_required(*READERS)
def warehouses() -> str:
    """Stock per warehouse."""
    return render_template("inventory/warehouses.html", rows=queries.stock_by_warehouse())


@bp.route("/warehouses/<id:warehouse_id>")
@roles_required(*READERS)
def warehouse_stock(warehouse_id: int) -> str:
    """Every lot a warehouse holds."""
    warehouse = session().get(Warehouse, warehouse_id)
    if warehouse is None:
        raise NotFound(_l("No such warehouse."))
    return render_template("inventory/warehouse.html", warehouse=warehouse,
                           lines=queries.balances_for(warehouse_id=warehouse_id), today=local_today())


@bp.route("/lots/<id:lot_id>")
@roles_required(*READERS)
def lot(lot_id: int) -> str:
    """A lot: its balances, a page of its movements (newest first, `before` for older ones) and its quality events."""
    found = services.get_lot(lot_id)
    before = request.args.get("before", type=int)
    page = queries.lot_movements(lot_id, before if before and 0 < before <= MAX_ID else None,
                                 int(current_app.config["PAGE_SIZE"]))
    return render_template("inventory/lot.html", lot=found, lines=queries.balances_for(lot_id=lot_id),
                           movements=page.movements, reversed_ids=page.reversed_ids, older=page.older,
                           paged=bool(before), events=queries.status_events(lot_id))


@bp.route("/ledger")
@roles_required(*READERS)
def ledger() -> str:
    """The ledger, newest first, filtered and paged."""
    form, filters = _ledger_filters()
    stmt = queries.movements_query(**filters)
    size = int(current_app.config["PAGE_SIZE"])
    # Past the last page there is nothing; capping keeps the OFFSET a number the database can hold.
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_ID // size)
    total = session().scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    movements = session().scalars(stmt.limit(size).offset((page - 1) * size)).all()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("inventory/ledger.html", form=form, movements=movements, page=page, total=total,
                           pages=max((total + size - 1) // size, 1), args=args,
                           xlsx_max=current_app.config["XLSX_EXPORT_MAX_ROWS"])


@bp.route(f"/ledger.<any({FILE_FORMATS}):fmt>")
@roles_required(*READERS)
def ledger_file(fmt: str) -> Response:
    """The (filtered) ledger as a CSV or XLSX file, streamed: rows are read from the cursor as they are sent."""
    _form, filters = _ledger_filters()
    lines = queries.ledger_lines(**filters)
    return sheets.download("ledger", fmt, exports.LEDGER_COLUMNS, lambda: exports.ledger_rows(lines),
                           count=lambda: _count(lines))


def _count(stmt: Any) -> int:
    return session().scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0


def _ledger_filters() -> tuple[LedgerFilterForm, dict[str, Any]]:
    """The filter form from the query string and the filters it gives; an invalid filter is a 422 naming it."""
    form = LedgerFilterForm(request.args)
    form.item_id.choices = [SelectChoice(0, _l("all")), *(SelectChoice(i.id, i.code) for i in
                                                     session().scalars(select(Item).order_by(Item.code)))]
    form.warehouse_id.choices = [SelectChoice(0, _l("all")), *(SelectChoice(w.id, w.code) for w in
                                                          session().scalars(select(Warehouse).order_by(Warehouse.code)))]
    if not form.validate():
        raise FieldErrors({name: [str(message) for message in messages] for name, messages in form.errors.items()})
    since, until = local_day_range(form.since.data, form.until.data)
    return form, {"item_id": form.item_id.data or None, "warehouse_id": form.warehouse_id.data or None,
                  "kind": form.type.data or None, "since": since, "until": until}


@bp.route("/expiring")
@roles_required(*READERS)
def expiring() -> str:
    """Stock that expires within 30, 60 or 90 days."""
    days = _expiry_window()
    lines = queries.expiring_lots(days)
    return render_template("inventory/expiring.html", days=days, windows=EXPIRY_WINDOWS, lines=lines,
                           today=local_today(), waste=_projected_waste(lines),
                           lot_numbers={line.lot.id: line.lot.lot_number for line in lines})


def _projected_waste(lines: list[queries.StockLine]) -> list[Any]:
    """The forecast's projected waste of these lines' lots, when the app provides it (inventory does not read
    forecasts itself: create_app hands the forecast domain's function over as an extension)."""
    provide = current_app.extensions.get("stockpile.projected_waste_by_lot")
    if provide is None or not lines:
        return []
    by_lot = provide(sorted({line.lot.item_id for line in lines}))
    shown = {line.lot.id for line in lines}
    return sorted((w for lot_id, w in by_lot.items() if lot_id in shown), key=lambda w: (w.last_pick_day, w.lot_id))


@bp.route(f"/expiring.<any({FILE_FORMATS}):fmt>")
@roles_required(*READERS)
def expiring_file(fmt: str) -> Response:
    """Stock expiring within the chosen window as a CSV or XLSX file."""
    days, today = _expiry_window(), local_today()
    return sheets.download(f"expiring-{days}-days", fmt, exports.EXPIRING_COLUMNS,
                           lambda: exports.expiring_rows(queries.expiring_lots(days, today), today))


def _expiry_window() -> int:
    days = request.args.get("days", 30, type=int)
    return days if days in EXPIRY_WINDOWS else 30


def logistics_panel(_user: User) -> Panel:
    """Real figures for the logistics dashboard."""
    stock_rows = queries.stock_by_item()
    soon = queries.expiring_lots(30)
    today = local_today()
    since, _until = local_day_range(today, None)
    moved = session().scalar(select(func.count()).select_from(StockMovement)
                             .where(StockMovement.created_at >= since)) or 0
    return Panel(_l("Stock"), rows=[
        (_l("Items in stock"), sum(1 for s in stock_rows if s.on_hand > 0)),
        (_l("Units on hand"), sum(s.on_hand for s in stock_rows)),
        (_l("Usable units (released, unexpired)"), sum(s.usable for s in stock_rows)),
        (_l("Units expiring within 30 days"), sum(line.on_hand for line in soon)),
        (_l("Lots in quarantine"), _count_quarantine()),
        (_l("Movements booked today"), moved),
    ], link=(url_for("inventory.stock"), _l("Stock overview")))


def _count_quarantine() -> int:
    stmt = select(func.count()).select_from(queries.lots_query(status=QualityStatus.QUARANTINE).subquery())
    return session().scalar(stmt) or 0


@bp.app_context_processor
def _labels() -> dict[str, Any]:
    return {"inventory_label": label}


PAGES = WebPart(
    blueprints=(bp, booking_bp),
    nav=(NavEntry("inventory.stock", _l("Stock"), READERS), NavEntry("inventory.ledger", _l("Ledger"), READERS),
         NavEntry("inventory.expiring", _l("Expiring"), READERS)),
    panels=(PanelEntry(READERS, logistics_panel),),
)
