"""The verbs of the ledger: receive, transfer, issue, adjust, write off, reverse, change a lot's status.

Each validates, appends one movement, changes balances through `balances`, flushes and audits; none commits.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import select

from stockpile import audit, formats
from stockpile.db import local_today, session, utcnow
from stockpile.errors import Conflict, FieldErrors, InvalidTransition, NotFound
from stockpile.inventory import balances, hooks, idempotency
from stockpile.inventory.models import (
    STATUS_TRANSITIONS,
    Lot,
    LotStatusEvent,
    MovementType,
    QualityStatus,
    StockMovement,
    label,
)
from stockpile.inventory.validation import active_item, active_warehouse, check_new_lot, check_quantity, check_reason
from stockpile.reference.models import Item


def get_lot(lot_id: int) -> Lot:
    """A lot by id, or NotFound."""
    lot = session().get(Lot, lot_id)
    if lot is None:
        raise NotFound(_("No such lot."))
    return lot


def get_movement(movement_id: int) -> StockMovement:
    """A movement by id, or NotFound."""
    movement = session().get(StockMovement, movement_id)
    if movement is None:
        raise NotFound(_("No such movement."))
    return movement


def receive(
    *, item_id: int, lot_number: str, supplier: str, expiry_date: dt.date, warehouse_id: int, quantity: int,
    reason: str, user_id: int | None, manufacture_date: dt.date | None = None,
    quality_status: QualityStatus = QualityStatus.QUARANTINE, reference: str = "",
    idempotency_key: str | None = None, received_date: dt.date | None = None,
) -> StockMovement:
    """Book units arriving in a warehouse, into a new lot or one already known (same item, supplier, number)."""
    check_quantity(quantity)
    check_reason(reason)
    item = active_item(item_id)
    active_warehouse(warehouse_id, "warehouse_id")

    def book() -> StockMovement:
        lot = _find_or_create_lot(item, lot_number.strip(), supplier.strip(), expiry_date, manufacture_date,
                                  quality_status, received_date or local_today(), user_id)
        movement = _append(MovementType.RECEIPT, lot, None, warehouse_id, quantity, reason, reference, user_id,
                           idempotency_key)
        balances.add_stock(lot, warehouse_id, quantity)
        return movement

    inputs = {"item_id": item_id, "lot_number": lot_number, "supplier": supplier, "expiry_date": expiry_date,
              "manufacture_date": manufacture_date, "quality_status": quality_status, "warehouse_id": warehouse_id,
              "quantity": quantity, "reason": reason, "reference": reference}
    return idempotency.once(idempotency_key, MovementType.RECEIPT, user_id, inputs, book)


def transfer(*, lot_id: int, warehouse_id: int, to_warehouse_id: int, quantity: int, reason: str,
             user_id: int | None, reference: str = "", idempotency_key: str | None = None) -> StockMovement:
    """Move usable units of a lot from one warehouse to another, as one movement."""
    check_quantity(quantity)
    check_reason(reason)
    if warehouse_id == to_warehouse_id:
        raise FieldErrors.one("to_warehouse_id", _("A transfer needs two different warehouses."))
    lot = get_lot(lot_id)
    active_warehouse(warehouse_id, "warehouse_id")
    active_warehouse(to_warehouse_id, "to_warehouse_id")

    def book() -> StockMovement:
        balances.lock_balances(lot, (warehouse_id, to_warehouse_id))
        movement = _append(MovementType.TRANSFER, lot, warehouse_id, to_warehouse_id, quantity, reason, reference,
                           user_id, idempotency_key)
        balances.take_stock(lot, warehouse_id, quantity, usable_on=local_today())
        balances.add_stock(lot, to_warehouse_id, quantity)
        return movement

    inputs = {"lot_id": lot_id, "warehouse_id": warehouse_id, "to_warehouse_id": to_warehouse_id,
              "quantity": quantity, "reason": reason, "reference": reference}
    return idempotency.once(idempotency_key, MovementType.TRANSFER, user_id, inputs, book)


def issue(*, lot_id: int, warehouse_id: int, quantity: int, reason: str, user_id: int | None,
          reference: str = "", idempotency_key: str | None = None, from_reserved: int = 0) -> StockMovement:
    """Book usable units leaving the stockpile; `from_reserved` of them were reserved for this issue."""
    check_quantity(quantity)
    check_reason(reason)
    lot = get_lot(lot_id)
    active_warehouse(warehouse_id, "warehouse_id")

    def book() -> StockMovement:
        movement = _append(MovementType.ISSUE, lot, warehouse_id, None, quantity, reason, reference, user_id,
                           idempotency_key)
        balances.take_stock(lot, warehouse_id, quantity, usable_on=local_today(), from_reserved=from_reserved)
        return movement

    inputs = {"lot_id": lot_id, "warehouse_id": warehouse_id, "quantity": quantity, "reason": reason,
              "reference": reference, **({"from_reserved": from_reserved} if from_reserved else {})}
    return idempotency.once(idempotency_key, MovementType.ISSUE, user_id, inputs, book)


def adjust(*, lot_id: int, warehouse_id: int, quantity: int, increase: bool, reason: str, user_id: int | None,
           reference: str = "", idempotency_key: str | None = None) -> StockMovement:
    """Correct a count up or down; a decrease can take only unreserved units, whatever the lot's status."""
    check_quantity(quantity)
    check_reason(reason)
    lot = get_lot(lot_id)
    active_warehouse(warehouse_id, "warehouse_id")
    source, destination = (None, warehouse_id) if increase else (warehouse_id, None)

    def book() -> StockMovement:
        movement = _append(MovementType.ADJUSTMENT, lot, source, destination, quantity, reason, reference, user_id,
                           idempotency_key)
        if increase:
            balances.add_stock(lot, warehouse_id, quantity)
        else:
            balances.take_stock(lot, warehouse_id, quantity)
        return movement

    inputs = {"lot_id": lot_id, "warehouse_id": warehouse_id, "quantity": quantity, "increase": increase,
              "reason": reason, "reference": reference}
    return idempotency.once(idempotency_key, MovementType.ADJUSTMENT, user_id, inputs, book)


def write_off(*, lot_id: int, warehouse_id: int, quantity: int, reason: str, user_id: int | None,
              reference: str = "", idempotency_key: str | None = None) -> StockMovement:
    """Remove expired, damaged or recalled units; works on any status, never on reserved units."""
    check_quantity(quantity)
    check_reason(reason)
    lot = get_lot(lot_id)

    def book() -> StockMovement:
        movement = _append(MovementType.WRITE_OFF, lot, warehouse_id, None, quantity, reason, reference, user_id,
                           idempotency_key)
        balances.take_stock(lot, warehouse_id, quantity)
        return movement

    inputs = {"lot_id": lot_id, "warehouse_id": warehouse_id, "quantity": quantity, "reason": reason,
              "reference": reference}
    return idempotency.once(idempotency_key, MovementType.WRITE_OFF, user_id, inputs, book)


def reverse(*, movement_id: int, reason: str, user_id: int | None,
            idempotency_key: str | None = None) -> StockMovement:
    """Undo a booking with a movement that points to it; the original stays in the ledger."""
    check_reason(reason)
    original = get_movement(movement_id)
    inputs = {"movement_id": movement_id, "reason": reason}
    if idempotency_key and (existing := idempotency.find(idempotency_key, user_id)) is not None:
        # a retry of a reversal that went through
        return idempotency.replay(existing, idempotency.canonical(original.type, inputs))
    if original.is_reversal:
        raise Conflict(_("Movement %(id)d is itself a reversal; book the correction anew instead.", id=original.id))
    already = session().scalar(select(StockMovement.id).where(StockMovement.reverses_id == original.id))
    if already is not None:
        raise Conflict(_("Movement %(id)d was already reversed by movement %(by)d.", id=original.id, by=already))
    hooks.check_reversal(original)  # the requests domain refuses to reverse what a request's pick booked

    def book() -> StockMovement:
        movement = _append(original.type, original.lot, original.to_warehouse_id, original.from_warehouse_id,
                           original.quantity, reason, original.reference, user_id, idempotency_key,
                           reverses_id=original.id)
        if original.to_warehouse_id is not None:
            balances.take_stock(original.lot, original.to_warehouse_id, original.quantity)
        if original.from_warehouse_id is not None:
            balances.add_stock(original.lot, original.from_warehouse_id, original.quantity)
        return movement

    return idempotency.once(idempotency_key, original.type, user_id, inputs, book)


def change_lot_status(*, lot_id: int, status: QualityStatus, reason: str, user_id: int | None) -> Lot:
    """Move a lot through quality control; every change is an event with who, when and why."""
    check_reason(reason)
    lot = get_lot(lot_id)
    transition_lot(lot, status, reason, user_id)
    return lot


def mark_expired_lots(today: dt.date | None = None) -> list[Lot]:
    """The daily task: every lot past its expiry date that the state table lets expire becomes `expired`."""
    today = today or local_today()
    may_expire = [status for status, targets in STATUS_TRANSITIONS.items() if QualityStatus.EXPIRED in targets]
    lots = session().scalars(select(Lot).where(Lot.expiry_date < today, Lot.quality_status.in_(may_expire))).all()
    for lot in lots:
        transition_lot(lot, QualityStatus.EXPIRED,
                       _("Past its expiry date %(date)s.", date=formats.date(lot.expiry_date)), None)
    return list(lots)


def transition_lot(lot: Lot, status: QualityStatus, reason: str, user_id: int | None) -> None:
    """The one gate of a lot's quality status, for people and jobs: the state table, no release past the expiry
    date; then the event, the audit record and, for a released lot that stops being usable, the ledger hooks."""
    if status not in STATUS_TRANSITIONS[lot.quality_status]:
        raise InvalidTransition(_("Lot %(lot)s is %(current)s and cannot become %(new)s.",
                                  lot=lot.lot_number, current=label(lot.quality_status), new=label(status)))
    if status is QualityStatus.RELEASED and lot.expiry_date < local_today():
        raise Conflict(_("Lot %(lot)s expired on %(date)s and cannot be released.",
                         lot=lot.lot_number, date=formats.date(lot.expiry_date)))
    session().add(LotStatusEvent(lot_id=lot.id, from_status=lot.quality_status, to_status=status, reason=reason,
                                 user_id=user_id))
    old = lot.quality_status
    lot.quality_status = status
    session().flush()
    audit.record(user_id, "lot.status", lot, old=old.value, new=status.value, reason=reason)
    if old is QualityStatus.RELEASED:
        # The requests domain re-plans the lot's reservations here (registered by requests.init_app).
        hooks.lot_became_unusable(lot, user_id)


def _find_or_create_lot(item: Item, lot_number: str, supplier: str, expiry_date: dt.date,
                        manufacture_date: dt.date | None, status: QualityStatus, received: dt.date,
                        user_id: int | None) -> Lot:
    lot = session().scalar(select(Lot).where(Lot.item_id == item.id, Lot.supplier == supplier,
                                             Lot.lot_number == lot_number))
    if lot is not None:
        if lot.expiry_date != expiry_date:
            raise FieldErrors.one("expiry_date", _(
                "Lot %(lot)s of %(supplier)s expires on %(date)s, not on this date.",
                lot=lot_number, supplier=supplier, date=formats.date(lot.expiry_date)))
        return lot
    check_new_lot(lot_number, supplier, expiry_date, manufacture_date, status)
    lot = Lot(item_id=item.id, lot_number=lot_number, supplier=supplier, expiry_date=expiry_date,
              manufacture_date=manufacture_date, received_date=received, quality_status=status)
    session().add(lot)
    session().flush()
    session().add(LotStatusEvent(lot_id=lot.id, from_status=None, to_status=status, user_id=user_id,
                                 reason=_("Received.")))
    return lot


def _append(kind: MovementType, lot: Lot, source: int | None, destination: int | None, quantity: int, reason: str,
            reference: str, user_id: int | None, key: str | None, reverses_id: int | None = None) -> StockMovement:
    # Setting `lot` as well as `lot_id` keeps the lot with the movement: the answer that shows the movement
    # then needs no second SELECT of a lot the session may already have let go of.
    movement = StockMovement(type=kind, lot=lot, lot_id=lot.id, from_warehouse_id=source, to_warehouse_id=destination,
                             quantity=quantity, reason=reason.strip(), reference=(reference or "").strip(),
                             user_id=user_id, idempotency_key=key or None, reverses_id=reverses_id,
                             created_at=utcnow())
    session().add(movement)
    session().flush()
    audit.record(user_id, f"movement.{kind.value}", movement,
                 **movement_audit(lot.lot_number, quantity, source, destination, reverses_id, reason))
    return movement


def movement_audit(lot_number: str, quantity: int, source: int | None, destination: int | None,
                   reverses_id: int | None, reason: str) -> dict[str, object]:
    """What the audit log keeps of a movement, for a single booking and for a bulk import alike."""
    return {"lot": lot_number, "quantity": quantity, "source": source, "destination": destination,
            "reverses": reverses_id, "reason": reason}
