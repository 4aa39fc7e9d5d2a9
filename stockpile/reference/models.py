"""Reference tables: regions, essential processes, items (the PPE catalogue) and warehouses."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stockpile.db import Base


def str_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """A string enum column type that stores the values, not the Python names."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Region(Base):
    """One of the 25 Dutch safety regions (veiligheidsregio's)."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class EssentialProcess(Base):
    """A process that must continue in a crisis; tier 1 is served first under scarcity."""

    __tablename__ = "essential_processes"
    __table_args__ = (CheckConstraint("priority_tier BETWEEN 1 AND 9", name="tier_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    sector: Mapped[str] = mapped_column(String(120))
    priority_tier: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ItemCategory(enum.StrEnum):
    """The PPE families of the catalogue."""

    RESPIRATORY = "respiratory"
    FACE_EYE = "face_eye"
    HAND = "hand"
    BODY = "body"
    HYGIENE = "hygiene"


class Item(Base):
    """A catalogue article; an item in use is deactivated, never deleted."""

    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint("units_per_pack >= 1", name="units_per_pack_positive"),
        CheckConstraint("shelf_life_months >= 0", name="shelf_life_not_negative"),
        CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),
        CheckConstraint("safety_stock_days >= 0", name="safety_stock_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[ItemCategory] = mapped_column(str_enum(ItemCategory, "item_category"))
    unit_of_issue: Mapped[str] = mapped_column(String(32))
    units_per_pack: Mapped[int] = mapped_column(default=1)
    en_standard: Mapped[str] = mapped_column(String(120), default="")
    shelf_life_months: Mapped[int] = mapped_column(default=60)
    lead_time_days: Mapped[int] = mapped_column(default=14)
    safety_stock_days: Mapped[int] = mapped_column(default=14)
    active: Mapped[bool] = mapped_column(default=True)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Warehouse(Base):
    """A place that holds stock; an inactive warehouse takes no new bookings."""

    __tablename__ = "warehouses"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(Text, default="")
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)

    region: Mapped[Region] = relationship(lazy="joined")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
