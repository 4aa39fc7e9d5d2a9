"""Lots, their quality events, the stock-movement ledger and the balances it keeps."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stockpile.auth.models import User
from stockpile.db import Base, UTCDateTime, utcnow
from stockpile.reference.models import Item, Warehouse, str_enum


class QualityStatus(enum.StrEnum):
    """Where a lot stands in quality control; only released, unexpired stock may leave."""

    QUARANTINE = "quarantine"
    RELEASED = "released"
    BLOCKED = "blocked"
    RECALLED = "recalled"
    EXPIRED = "expired"


# The quality state machine: from each status, the statuses a lot may move to, set by a person or (to expired)
# by the nightly expiry; inventory.services.transition_lot is its one gate. A quarantined lot past its date
# expires like any other: it can never be released, and `expired` tells logistics to write it off.
STATUS_TRANSITIONS: dict[QualityStatus, frozenset[QualityStatus]] = {
    QualityStatus.QUARANTINE: frozenset({QualityStatus.RELEASED, QualityStatus.BLOCKED, QualityStatus.RECALLED,
                                         QualityStatus.EXPIRED}),
    QualityStatus.RELEASED: frozenset({QualityStatus.BLOCKED, QualityStatus.RECALLED, QualityStatus.EXPIRED}),
    QualityStatus.BLOCKED: frozenset({QualityStatus.RELEASED, QualityStatus.RECALLED, QualityStatus.EXPIRED}),
    QualityStatus.RECALLED: frozenset(),
    QualityStatus.EXPIRED: frozenset(),
}


class MovementType(enum.StrEnum):
    """The kinds of stock movement in the ledger."""

    RECEIPT = "receipt"
    TRANSFER = "transfer"
    ISSUE = "issue"
    ADJUSTMENT = "adjustment"
    WRITE_OFF = "write_off"


class Lot(Base):
    """A batch of one item from one supplier, with its expiry and quality status."""

    __tablename__ = "lots"
    __table_args__ = (
        UniqueConstraint("item_id", "supplier", "lot_number"),
        CheckConstraint("manufacture_date IS NULL OR expiry_date >= manufacture_date", name="expiry_after_manufacture"),
        Index("ix_lots_item_expiry", "item_id", "expiry_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    lot_number: Mapped[str] = mapped_column(String(64))
    supplier: Mapped[str] = mapped_column(String(120))
    manufacture_date: Mapped[dt.date | None] = mapped_column(Date)
    expiry_date: Mapped[dt.date] = mapped_column(Date, index=True)
    received_date: Mapped[dt.date] = mapped_column(Date)
    quality_status: Mapped[QualityStatus] = mapped_column(str_enum(QualityStatus, "quality_status"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    item: Mapped[Item] = relationship(lazy="joined")

    def is_usable_on(self, day: dt.date) -> bool:
        """Released and not past its expiry date on that day."""
        return self.quality_status is QualityStatus.RELEASED and self.expiry_date >= day

    def __str__(self) -> str:
        return self.lot_number


class LotStatusEvent(Base):
    """A change of a lot's quality status: who, when, from, to and why."""

    __tablename__ = "lot_status_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    from_status: Mapped[QualityStatus | None] = mapped_column(str_enum(QualityStatus, "from_status"))
    to_status: Mapped[QualityStatus] = mapped_column(str_enum(QualityStatus, "to_status"))
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship(lazy="joined")


class StockMovement(Base):
    """One line of the ledger, never updated or deleted.

    Stock leaves `from_warehouse` and arrives in `to_warehouse`: a receipt has only a destination, an issue or
    write-off only a source, a transfer both, an adjustment one of the two (its sign). A reversal swaps them.
    """

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("from_warehouse_id IS NOT NULL OR to_warehouse_id IS NOT NULL", name="has_a_warehouse"),
        CheckConstraint(
            "from_warehouse_id IS NULL OR to_warehouse_id IS NULL OR from_warehouse_id <> to_warehouse_id",
            name="transfer_between_two_warehouses",
        ),
        Index("ix_stock_movements_lot_created", "lot_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[MovementType] = mapped_column(str_enum(MovementType, "movement_type"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"))
    from_warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"), index=True)
    to_warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"), index=True)
    quantity: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(String(120), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The client's key as sent; unique per user in IdempotencyKey, not here (two users may pick the same key).
    idempotency_key: Mapped[str | None] = mapped_column(String(120))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("stock_movements.id"), unique=True)

    lot: Mapped[Lot] = relationship(lazy="joined")
    from_warehouse: Mapped[Warehouse | None] = relationship(foreign_keys=[from_warehouse_id], lazy="joined")
    to_warehouse: Mapped[Warehouse | None] = relationship(foreign_keys=[to_warehouse_id], lazy="joined")
    user: Mapped[User | None] = relationship(lazy="joined")

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None


class StockBalance(Base):
    """What one warehouse holds of one lot; kept in step with the ledger in the same transaction."""

    __tablename__ = "stock_balances"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved <= on_hand", name="reserved_within_on_hand"),
    )

    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), primary_key=True, index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)

    lot: Mapped[Lot] = relationship(lazy="joined")
    warehouse: Mapped[Warehouse] = relationship(lazy="joined")

    @property
    def free(self) -> int:
        return self.on_hand - self.reserved


class ReceiptImport(Base):
    """A file of receipts that was booked: who, when, which file (by its SHA-256), how many lines; never changed."""

    __tablename__ = "receipt_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    rows: Mapped[int]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship(lazy="joined")


class ImportedRow(Base):
    """A booked line of an imported file, by the fingerprint of its values: the same line is never booked twice."""

    __tablename__ = "imported_rows"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("receipt_imports.id"), index=True)
    line: Mapped[int]
    movement_id: Mapped[int] = mapped_column(ForeignKey("stock_movements.id"), unique=True)


def _labels() -> dict[str, object]:
    return {
        QualityStatus.QUARANTINE: _l("quarantine"), QualityStatus.RELEASED: _l("released"),
        QualityStatus.BLOCKED: _l("blocked"), QualityStatus.RECALLED: _l("recalled"),
        QualityStatus.EXPIRED: _l("expired"), MovementType.RECEIPT: _l("receipt"),
        MovementType.TRANSFER: _l("transfer"), MovementType.ISSUE: _l("issue"),
        MovementType.ADJUSTMENT: _l("adjustment"), MovementType.WRITE_OFF: _l("write-off"),
    }


def label(value: QualityStatus | MovementType | str | None) -> object:
    """A status or movement type in the user's language."""
    return "" if value is None else _labels().get(value, str(value))


class IdempotencyKey(Base):
    """A client's idempotency key, scoped to its user, with a fingerprint of the booking it was first sent with.

    As in the IETF Idempotency-Key draft and Stripe's API: the same key from the same user with the same body
    returns the first booking; with another body it is refused (422) naming what differs; another user's key of
    the same text is another key.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "user:<id>", or "system" for bookings without a user (commands, jobs).
    scope: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(120))
    # SHA-256 of the booking's inputs as canonical JSON; NULL for keys kept from before fingerprints existed.
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    inputs: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    movement_id: Mapped[int | None] = mapped_column(ForeignKey("stock_movements.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    movement: Mapped[StockMovement | None] = relationship()
