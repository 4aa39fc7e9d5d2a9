"""What insight remembers: rotation advice that was taken (so it is not offered again)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from stockpile.db import Base, UTCDateTime, utcnow


class RotationTransfer(Base):
    """Rotation advice turned into a transfer: the lot, from where to where, how many, the movement, who and when."""

    __tablename__ = "rotation_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id"), index=True)
    from_warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    to_warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    quantity: Mapped[int]
    units_saved: Mapped[int]
    movement_id: Mapped[int] = mapped_column(ForeignKey("stock_movements.id"), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
