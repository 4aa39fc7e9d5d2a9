"""Requests from the safety regions, their lines, history, reservations and picks; allocations per process."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stockpile.auth.models import User
from stockpile.db import Base, UTCDateTime, utcnow
from stockpile.reference.models import EssentialProcess, Item, Region, Warehouse, str_enum

if TYPE_CHECKING:  # the tables are joined by name; requests use the ledger only through requests.reservations
    from stockpile.inventory.models import Lot, StockMovement


class RequestState(enum.StrEnum):
    """Where a request stands; `delivered` closes it."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PARTIALLY_APPROVED = "partially_approved"
    REJECTED = "rejected"
    PICKING = "picking"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


S = RequestState


class SupplyRequest(Base):
    """A region's request for PPE for one essential process."""

    __tablename__ = "requests"
    __table_args__ = (Index("ix_requests_state_needed_by", "state", "needed_by"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    essential_process_id: Mapped[int] = mapped_column(ForeignKey("essential_processes.id"), index=True)
    needed_by: Mapped[dt.date] = mapped_column(Date)
    delivery_warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"))
    delivery_address: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(200))
    justification: Mapped[str] = mapped_column(Text)
    state: Mapped[RequestState] = mapped_column(str_enum(RequestState, "request_state"), default=S.DRAFT)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    # The policy version (policy_log) in force when the request was approved, in part or whole, or rejected.
    policy_version_id: Mapped[int | None] = mapped_column(ForeignKey("policy_versions.id"))
    carrier: Mapped[str] = mapped_column(String(120), default="")
    shipment_reference: Mapped[str] = mapped_column(String(120), default="")
    shipped_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The token of the web form that created the request, so a second submission of that form is refused.
    form_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The rejected or cut request this one asks again for: the forecast counts the need of both only once.
    reask_of_id: Mapped[int | None] = mapped_column(ForeignKey("requests.id"), index=True)

    region: Mapped[Region] = relationship(lazy="joined")
    essential_process: Mapped[EssentialProcess] = relationship(lazy="joined")
    delivery_warehouse: Mapped[Warehouse | None] = relationship(lazy="joined")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    lines: Mapped[list[RequestLine]] = relationship(back_populates="request", order_by="RequestLine.id",
                                                    cascade="all, delete-orphan")
    history: Mapped[list[RequestTransition]] = relationship(order_by="RequestTransition.id")
    reask_of: Mapped[SupplyRequest | None] = relationship(remote_side=[id], foreign_keys=[reask_of_id])

    @property
    def number(self) -> str:
        return f"R-{self.id:06d}"

    @property
    def can_be_asked_again(self) -> bool:
        """Rejected, or decided with a line that got less than asked: what a re-ask may point back to."""
        if self.state is S.REJECTED:
            return True
        decided = self.state in (S.APPROVED, S.PARTIALLY_APPROVED, S.PICKING, S.SHIPPED, S.DELIVERED)
        return decided and any((line.quantity_approved or 0) < line.quantity_requested for line in self.lines)


class RequestLine(Base):
    """One item of a request, with what was asked, approved, issued and received."""

    __tablename__ = "request_lines"
    __table_args__ = (
        CheckConstraint("quantity_requested > 0", name="requested_positive"),
        CheckConstraint("quantity_approved IS NULL OR (quantity_approved >= 0 AND "
                        "quantity_approved <= quantity_requested)", name="approved_within_requested"),
        CheckConstraint("quantity_issued >= 0", name="issued_not_negative"),
        CheckConstraint("quantity_received IS NULL OR quantity_received >= 0", name="received_not_negative"),
        UniqueConstraint("request_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    quantity_requested: Mapped[int]
    quantity_approved: Mapped[int | None]
    quantity_issued: Mapped[int] = mapped_column(default=0)
    quantity_received: Mapped[int | None]
    approval_note: Mapped[str] = mapped_column(Text, default="")
    # How much of the approval was drawn from the process's allocation, given back if the request is cancelled.
    quantity_from_allocation: Mapped[int] = mapped_column(default=0)
    # True when the line got less than asked because stock was short: the forecast counts the full ask as demand.
    cut_for_scarcity: Mapped[bool] = mapped_column(default=False)
    discrepancy_note: Mapped[str] = mapped_column(Text, default="")

    request: Mapped[SupplyRequest] = relationship(back_populates="lines")
    item: Mapped[Item] = relationship(lazy="joined")
    reservations: Mapped[list[LineReservation]] = relationship(order_by="LineReservation.id")

    @property
    def discrepancy(self) -> int | None:
        """Received minus issued, once the region has confirmed."""
        return None if self.quantity_received is None else self.quantity_received - self.quantity_issued


class RequestTransition(Base):
    """One step in a request's history: who moved it, when, from which state to which, and why."""

    __tablename__ = "request_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id"), index=True)
    from_state: Mapped[RequestState | None] = mapped_column(str_enum(RequestState, "from_state"))
    to_state: Mapped[RequestState] = mapped_column(str_enum(RequestState, "to_state"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User | None] = relationship(lazy="joined")


class LineReservation(Base):
    """Stock of one lot in one warehouse set aside for a request line at approval, and what was picked of it."""

    __tablename__ = "line_reservations"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("released >= 0 AND released <= quantity", name="released_within_quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("request_lines.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    quantity: Mapped[int]
    # Picked or given back: what no longer holds stock reserved.
    released: Mapped[int] = mapped_column(default=0)
    issue_movement_id: Mapped[int | None] = mapped_column(ForeignKey("stock_movements.id"), unique=True)

    lot: Mapped[Lot] = relationship(lazy="joined")
    warehouse: Mapped[Warehouse] = relationship(lazy="joined")
    issue_movement: Mapped[StockMovement | None] = relationship()

    @property
    def outstanding(self) -> int:
        return self.quantity - self.released


class Allocation(Base):
    """Stock of an item ring-fenced for an essential process; approvals for that process draw on it first."""

    __tablename__ = "allocations"
    __table_args__ = (
        UniqueConstraint("essential_process_id", "item_id"),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("used >= 0", name="used_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    essential_process_id: Mapped[int] = mapped_column(ForeignKey("essential_processes.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    quantity: Mapped[int]
    used: Mapped[int] = mapped_column(default=0)

    essential_process: Mapped[EssentialProcess] = relationship(lazy="joined")
    item: Mapped[Item] = relationship(lazy="joined")

    @property
    def remaining(self) -> int:
        """What the ring-fence still holds back from other processes."""
        return max(0, self.quantity - self.used)


class AllocationChange(Base):
    """The history of an allocation: every change of its quantity, by whom and why."""

    __tablename__ = "allocation_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    allocation_id: Mapped[int] = mapped_column(ForeignKey("allocations.id"), index=True)
    old_quantity: Mapped[int]
    new_quantity: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship(lazy="joined")
