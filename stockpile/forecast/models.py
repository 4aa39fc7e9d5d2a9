"""Expected deliveries, forecast runs with their per-series results, stored forecasts and scarcity flags."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stockpile.auth.models import User
from stockpile.db import Base, UTCDateTime, utcnow
from stockpile.reference.models import Item, Region, str_enum


class DeliveryStatus(enum.StrEnum):
    """Where an announced delivery stands; only `expected` ones count in the projection."""

    EXPECTED = "expected"
    RECEIVED = "received"
    CANCELLED = "cancelled"


# The delivery state machine: received and cancelled are final.
DELIVERY_TRANSITIONS: dict[DeliveryStatus, frozenset[DeliveryStatus]] = {
    DeliveryStatus.EXPECTED: frozenset({DeliveryStatus.RECEIVED, DeliveryStatus.CANCELLED}),
    DeliveryStatus.RECEIVED: frozenset(),
    DeliveryStatus.CANCELLED: frozenset(),
}


class ExpectedDelivery(Base):
    """Units a supplier has promised for a date; the projection counts them on that date."""

    __tablename__ = "expected_deliveries"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    quantity: Mapped[int]
    expected_date: Mapped[dt.date] = mapped_column(Date, index=True)
    supplier: Mapped[str] = mapped_column(String(120))
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus, "delivery_status"),
                                                   default=DeliveryStatus.EXPECTED, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    item: Mapped[Item] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(lazy="joined")


class RunStatus(enum.StrEnum):
    """A run's life: it runs, then it succeeded or failed."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class RunTrigger(enum.StrEnum):
    """What started a run."""

    SCHEDULED = "scheduled"
    MANUAL = "manual"
    CLI = "cli"


class ForecastRun(Base):
    """One forecast of every series; at most one runs at a time (a unique partial index says so)."""

    __tablename__ = "forecast_runs"
    __table_args__ = (
        # The cross-process guard: a second 'running' row violates this index, whoever inserts it.
        Index("uq_forecast_runs_one_running", "status", unique=True,
              sqlite_where=text("status = 'running'"), postgresql_where=text("status = 'running'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus, "run_status"), default=RunStatus.RUNNING)
    trigger: Mapped[RunTrigger] = mapped_column(str_enum(RunTrigger, "run_trigger"))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    horizon_days: Mapped[int] = mapped_column(default=90)
    history_start: Mapped[dt.date | None] = mapped_column(Date)
    history_end: Mapped[dt.date | None] = mapped_column(Date)
    series_count: Mapped[int] = mapped_column(default=0)
    failed_series: Mapped[int] = mapped_column(default=0)
    error_summary: Mapped[str] = mapped_column(Text, default="")

    started_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def seconds(self) -> float | None:
        return None if self.finished_at is None else (self.finished_at - self.started_at).total_seconds()


class ForecastSeries(Base):
    """One series of one run: an item nationally (no region) or in one region; its method or its error."""

    __tablename__ = "forecast_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    method: Mapped[str] = mapped_column(String(32), default="")
    mase: Mapped[float | None] = mapped_column(Float)
    seasonal_naive_mase: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str] = mapped_column(Text, default="")
    seconds: Mapped[float] = mapped_column(Float, default=0.0)

    item: Mapped[Item] = relationship(lazy="joined")
    region: Mapped[Region | None] = relationship(lazy="joined")


class ForecastPoint(Base):
    """The forecast of one series for one day: central value and the 80% interval."""

    __tablename__ = "forecast_points"

    series_id: Mapped[int] = mapped_column(ForeignKey("forecast_series.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    yhat: Mapped[float] = mapped_column(Float)
    yhat_lower: Mapped[float] = mapped_column(Float)
    yhat_upper: Mapped[float] = mapped_column(Float)


class FlagLevel(enum.StrEnum):
    """How soon an item may run out, worst last."""

    NONE = "none"
    WATCH = "watch"
    WARNING = "warning"
    CRITICAL = "critical"


class FlagChange(enum.StrEnum):
    """How an item's flag moved since the previous succeeded run."""

    NEW = "new"
    WORSENED = "worsened"
    IMPROVED = "improved"
    RESOLVED = "resolved"
    UNCHANGED = "unchanged"


class ScarcityFlag(Base):
    """One item's projection outcome in one run, its flag and whether someone acknowledged it."""

    __tablename__ = "scarcity_flags"
    __table_args__ = (Index("ix_scarcity_flags_run_item", "run_id", "item_id", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    level: Mapped[FlagLevel] = mapped_column(str_enum(FlagLevel, "flag_level"))
    change: Mapped[FlagChange] = mapped_column(str_enum(FlagChange, "flag_change"))
    previous_level: Mapped[FlagLevel | None] = mapped_column(str_enum(FlagLevel, "previous_flag_level"))
    usable_stock: Mapped[int] = mapped_column(Integer)
    mean_daily_forecast: Mapped[float] = mapped_column(Float)
    days_of_supply: Mapped[float | None] = mapped_column(Float)
    stockout_central: Mapped[dt.date | None] = mapped_column(Date)
    stockout_pessimistic: Mapped[dt.date | None] = mapped_column(Date)
    below_safety: Mapped[dt.date | None] = mapped_column(Date)
    stockout_probability: Mapped[float] = mapped_column(Float, default=0.0)
    lead_time_days: Mapped[int]
    safety_stock_days: Mapped[int]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    acknowledgement_note: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[Item] = relationship(lazy="joined")
    run: Mapped[ForecastRun] = relationship(lazy="joined")
    acknowledged_by: Mapped[User | None] = relationship(lazy="joined")
