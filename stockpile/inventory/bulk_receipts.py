"""A checked receipts file booked in one transaction: what needs the database is checked, then all is booked at once.

The checks (codes, lots, earlier imports) and the writes run in one short transaction, with a handful of set-based
statements instead of a dozen per line: new lots, their first status events, the movements, the audit records and
the balances (through `balances.add_stock_in_bulk`, the same upsert a single receipt uses).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask_babel import gettext as _
from sqlalchemy import insert, select, text, tuple_
from sqlalchemy.exc import IntegrityError

from stockpile import audit, formats
from stockpile.db import Base, local_today, session, table_of, unnest_insert, utcnow
from stockpile.errors import Conflict, FieldErrors
from stockpile.inventory import balances
from stockpile.inventory.models import (
    ImportedRow,
    Lot,
    LotStatusEvent,
    MovementType,
    ReceiptImport,
    StockMovement,
)
from stockpile.inventory.receipt_import import ImportRefused, ReadFile, ReceiptLine, RowError
from stockpile.inventory.services import movement_audit
from stockpile.inventory.validation import check_new_lot
from stockpile.reference.models import Item, Warehouse

# Values per IN (...) list: well below what either database allows in one statement.
CHUNK = 500
T = TypeVar("T")
LotKey = tuple[int, str, str]


@dataclass
class LotPlan:
    """Which lot each line books into: known lots by id, new ones to create (from the first line naming them)."""

    known: dict[LotKey, int] = field(default_factory=dict)
    new: dict[LotKey, ReceiptLine] = field(default_factory=dict)


def import_file(read: ReadFile, filename: str, user_id: int | None) -> ReceiptImport:
    """Check a read file against the database and book it, all lines or none; raise ImportRefused with every problem.

    Runs in the caller's transaction, which the request boundary commits.
    """
    items = _codes(Item)
    warehouses = _codes(Warehouse)
    problems = list(read.problems) + _code_problems(read.codes, items, warehouses)
    problems += _earlier_imports(read)
    good = [r for r in read.receipts if r.item_code in items and r.warehouse_code in warehouses]
    plan, lot_problems = _plan_lots(good, items)
    problems += lot_problems
    if problems:
        raise ImportRefused(problems)
    if not read.receipts:
        raise ImportRefused([RowError(2, "row", _("The file holds no receipts."))])
    try:
        with session().begin_nested():
            return _book(read, filename, user_id, plan, items, warehouses)
    except IntegrityError:
        # Another booking created one of these lots, or imported one of these lines, at the same moment.
        raise Conflict(_("Another booking changed the same lots at the same moment; nothing was imported. "
                         "Import the file again to see what is left to book.")) from None


def _codes(model: type[Item] | type[Warehouse]) -> dict[str, tuple[int, bool]]:
    """Every code of a small reference table with its id and whether it is active."""
    return {code: (id_, active) for id_, code, active in session().execute(select(model.id, model.code, model.active))}


def _code_problems(codes: list[tuple[int, str, str]], items: dict[str, tuple[int, bool]],
                   warehouses: dict[str, tuple[int, bool]]) -> list[RowError]:
    """Unknown or inactive item and warehouse codes, on every line (also lines with other problems)."""
    checks = (("item_code", items, _("Unknown item code %(code)s."), _("Item %(code)s is inactive.")),
              ("warehouse_code", warehouses, _("Unknown warehouse code %(code)s."),
               _("Warehouse %(code)s is inactive.")))
    problems = []
    for line, *line_codes in codes:
        for code, (column, known, unknown_text, inactive_text) in zip(line_codes, checks, strict=True):
            if code and code not in known:
                problems.append(RowError(line, column, unknown_text % {"code": code}))
            elif code and not known[code][1]:
                problems.append(RowError(line, column, inactive_text % {"code": code}))
    return problems


def _earlier_imports(read: ReadFile) -> list[RowError]:
    """The file itself, or any of its lines, booked before."""
    earlier = session().scalar(select(ReceiptImport).where(ReceiptImport.file_sha256 == read.sha256))
    if earlier is not None:
        return [RowError(1, "row", _("This file was already imported on %(when)s (import %(id)d).",
                                     when=_when(earlier.created_at), id=earlier.id))]
    line_of = {r.fingerprint: r.line for r in read.receipts}
    problems = []
    for chunk in _chunks(list(line_of)):
        stmt = (select(ImportedRow.fingerprint, ImportedRow.line, ReceiptImport.id, ReceiptImport.created_at)
                .join(ReceiptImport, ReceiptImport.id == ImportedRow.import_id)
                .where(ImportedRow.fingerprint.in_(chunk)))
        for fingerprint, line, import_id, at in session().execute(stmt):
            problems.append(RowError(line_of[fingerprint], "row", _(
                "The same line was already imported on %(when)s (import %(id)d, line %(line)d).",
                when=_when(at), id=import_id, line=line)))
    return problems


def _when(at: dt.datetime) -> str:
    return formats.datetime(at)


def _plan_lots(receipts: list[ReceiptLine], items: dict[str, tuple[int, bool]]) -> tuple[LotPlan, list[RowError]]:
    """Known lots must keep their expiry date; a new lot is checked as a single receipt checks it."""
    plan, problems = LotPlan(), []
    wanted = {(items[r.item_code][0], r.supplier, r.lot_number) for r in receipts}
    existing = dict(_existing_lots(wanted))
    first: dict[LotKey, ReceiptLine] = {}
    for receipt in receipts:
        key = (items[receipt.item_code][0], receipt.supplier, receipt.lot_number)
        if key in existing:
            lot_id, expiry = existing[key]
            plan.known[key] = lot_id
            if receipt.expiry_date != expiry:
                problems.append(RowError(receipt.line, "expiry_date", _(
                    "Lot %(lot)s of %(supplier)s expires on %(date)s, not on this date.", lot=receipt.lot_number,
                    supplier=receipt.supplier, date=expiry.isoformat())))
            continue
        if key in first:
            if receipt.expiry_date != first[key].expiry_date:
                problems.append(RowError(receipt.line, "expiry_date", _(
                    "Line %(line)d gives lot %(lot)s another expiry date.", line=first[key].line,
                    lot=receipt.lot_number)))
            continue
        first[key] = receipt
        problems += _new_lot_problems(receipt)
    plan.new = first
    return plan, problems


def _existing_lots(keys: set[LotKey]) -> Iterator[tuple[LotKey, tuple[int, dt.date]]]:
    for chunk in _chunks(sorted(keys)):
        stmt = select(Lot.id, Lot.item_id, Lot.supplier, Lot.lot_number, Lot.expiry_date).where(
            tuple_(Lot.item_id, Lot.supplier, Lot.lot_number).in_(chunk))
        for lot_id, item_id, supplier, number, expiry in session().execute(stmt):
            yield (item_id, supplier, number), (lot_id, expiry)


def _new_lot_problems(receipt: ReceiptLine) -> list[RowError]:
    try:
        check_new_lot(receipt.lot_number, receipt.supplier, receipt.expiry_date, receipt.manufacture_date,
                      receipt.quality_status)
    except FieldErrors as error:
        return [RowError(receipt.line, name, message) for name, messages in error.errors.items()
                for message in messages]
    return []


def _book(read: ReadFile, filename: str, user_id: int | None, plan: LotPlan, items: dict[str, tuple[int, bool]],
          warehouses: dict[str, tuple[int, bool]]) -> ReceiptImport:
    lot_ids = {**plan.known, **_create_lots(plan.new, user_id)}
    # Where each line books: (lot id, warehouse id, item id).
    targets = [(lot_ids[(items[r.item_code][0], r.supplier, r.lot_number)], warehouses[r.warehouse_code][0],
                items[r.item_code][0]) for r in read.receipts]
    now = utcnow()
    movement_ids = _insert_returning_ids(StockMovement, [
        {"type": MovementType.RECEIPT, "lot_id": lot_id, "from_warehouse_id": None, "to_warehouse_id": warehouse_id,
         "quantity": r.quantity, "reason": r.reason, "reference": r.reference, "user_id": user_id, "created_at": now}
        for (lot_id, warehouse_id, _item), r in zip(targets, read.receipts, strict=True)],
        ("lot_id", "to_warehouse_id", "quantity", "reason", "reference"))
    balances.add_stock_in_bulk((lot_id, warehouse_id, item_id, r.quantity)
                               for (lot_id, warehouse_id, item_id), r in zip(targets, read.receipts, strict=True))
    audit.record_many(user_id, f"movement.{MovementType.RECEIPT.value}", StockMovement.__name__, [
        (movement_id, movement_audit(r.lot_number, r.quantity, None, warehouse_id, None, r.reason))
        for movement_id, (_lot, warehouse_id, _item), r in zip(movement_ids, targets, read.receipts, strict=True)])
    return _record_import(read, filename, user_id, movement_ids)


def _create_lots(new: dict[LotKey, ReceiptLine], user_id: int | None) -> dict[LotKey, int]:
    if not new:
        return {}
    keys = list(new)
    today = local_today()
    ids = _insert_returning_ids(Lot, [
        {"item_id": key[0], "supplier": key[1], "lot_number": key[2], "expiry_date": new[key].expiry_date,
         "manufacture_date": new[key].manufacture_date, "received_date": today,
         "quality_status": new[key].quality_status, "created_at": utcnow()} for key in keys],
        ("item_id", "supplier", "lot_number"))
    now, reason = utcnow(), _("Received.")
    _insert(LotStatusEvent, [{"lot_id": lot_id, "from_status": None, "to_status": new[key].quality_status,
                              "user_id": user_id, "reason": reason, "at": now}
                             for key, lot_id in zip(keys, ids, strict=True)])
    return dict(zip(keys, ids, strict=True))


def _insert_returning_ids(model: type[Lot] | type[StockMovement], rows: list[dict[str, Any]],
                          match: tuple[str, ...]) -> list[int]:
    """Insert rows in as few statements as each database does best and give each row's new id, in order.

    Core inserts, not the ORM's bulk path, which costs more per row than the database does. PostgreSQL hands out
    the ids first (one nextval per row, in one query) and takes the rows in one unnest statement (`_insert`);
    a multi-row INSERT ... RETURNING would cost psycopg more to parse than PostgreSQL to run. SQLite returns the ids
    of multi-row INSERTs, in no promised order (keeping the order makes SQLite insert row by row), so they are
    matched back by the `match` columns; rows equal in those are interchangeable here.
    """
    table = table_of(model)
    if session().get_bind().dialect.name == "postgresql":
        ids = list(session().scalars(text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                                          "FROM generate_series(1, :n)"), {"table": table.name, "n": len(rows)}))
        _insert(model, [{"id": new_id, **row} for row, new_id in zip(rows, ids, strict=True)])
        return ids
    columns = [table.c[name] for name in match]
    returned: dict[tuple[Any, ...], list[int]] = {}
    for new_id, *values in session().execute(insert(table).returning(table.c.id, *columns), rows):
        returned.setdefault(tuple(values), []).append(new_id)
    return [returned[tuple(row[name] for name in match)].pop() for row in rows]


def _insert(model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Many rows of a table in one statement on PostgreSQL (unnest), in one executemany on SQLite."""
    if session().get_bind().dialect.name == "postgresql":
        session().execute(unnest_insert(model, rows))
    else:
        session().execute(insert(table_of(model)), rows)


def _record_import(read: ReadFile, filename: str, user_id: int | None, movement_ids: Sequence[int]) -> ReceiptImport:
    record = ReceiptImport(file_sha256=read.sha256, filename=filename[:255], rows=len(read.receipts),
                           user_id=user_id)
    session().add(record)
    session().flush()
    _insert(ImportedRow, [
        {"fingerprint": r.fingerprint, "import_id": record.id, "line": r.line, "movement_id": movement_id}
        for r, movement_id in zip(read.receipts, movement_ids, strict=True)])
    audit.record(user_id, "inventory.import", record, filename=record.filename, rows=record.rows,
                 sha256=read.sha256)
    return record


def _chunks(values: Sequence[T] | Iterable[T]) -> Iterator[list[T]]:
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch
