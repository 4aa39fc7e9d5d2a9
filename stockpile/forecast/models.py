"""Expected deliveries, forecast runs with their per-series results, stored forecasts and scarcity flags."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, String, Text, text
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
    """A run's life: queued, running, then succeeded, failed or cancelled."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


# The run state machine. A queued run is picked up by the scheduler or cancelled; a failed or cancelled run
# leaves the previous forecast (and so the flags it makes) in force.
RUN_TRANSITIONS: dict[RunStatus, frozenset[RunStatus]] = {
    RunStatus.QUEUED: frozenset({RunStatus.RUNNING, RunStatus.CANCELLED, RunStatus.FAILED}),
    RunStatus.RUNNING: frozenset({RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED}),
    RunStatus.SUCCEEDED: frozenset(),
    RunStatus.FAILED: frozenset(),
    RunStatus.CANCELLED: frozenset(),
}
ACTIVE_RUN_STATES = frozenset({RunStatus.QUEUED, RunStatus.RUNNING})


class RunTrigger(enum.StrEnum):
    """What started a run."""

    SCHEDULED = "scheduled"
    MANUAL = "manual"
    CLI = "cli"


class ForecastRun(Base):
    """One forecast of every series; at most one is queued or running at a time (a unique column says so)."""

    __tablename__ = "forecast_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    queued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[RunStatus] = mapped_column(str_enum(RunStatus, "run_status"), default=RunStatus.QUEUED)
    # 1 while queued or running, NULL after: the cross-process guard, as a second active run violates the unique
    # constraint whoever inserts it (NULLs never collide, on SQLite and PostgreSQL alike).
    active: Mapped[int | None] = mapped_column(unique=True, default=1)
    trigger: Mapped[RunTrigger] = mapped_column(str_enum(RunTrigger, "run_trigger"))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    horizon_days: Mapped[int] = mapped_column(default=90)
    history_start: Mapped[dt.date | None] = mapped_column(Date)
    history_end: Mapped[dt.date | None] = mapped_column(Date)
    series_count: Mapped[int] = mapped_column(default=0)
    failed_series: Mapped[int] = mapped_column(default=0)
    error_summary: Mapped[str] = mapped_column(Text, default="")
    # Progress, written by the process executing the run; the heartbeat says it is still alive.
    executor: Mapped[str] = mapped_column(String(120), default="")
    phase: Mapped[str] = mapped_column(String(32), default="")
    series_done: Mapped[int] = mapped_column(default=0)
    series_total: Mapped[int] = mapped_column(default=0)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    estimated_finish_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancel_requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancel_requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    started_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[started_by_id])

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None or self.started_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATES


class RunLogLine(Base):
    """One line of a run's log: what it did, when, and what went wrong; kept with the run."""

    __tablename__ = "forecast_run_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_runs.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    level: Mapped[str] = mapped_column(String(16), default="info")
    message: Mapped[str] = mapped_column(Text)


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


class ForecastSelection(Base):
    """The method chosen for one series by its backtest, with its errors and calibration; one row per selection.

    Selection (the rolling-origin backtest of every candidate) is the costly part of forecasting, so it runs when a
    series is new, its selection is older than FORECAST_SELECTION_MAX_AGE_DAYS, or its recent error drifted past
    the backtest error; every other run refits only the chosen method. The newest row of a series is in force.
    """

    __tablename__ = "forecast_selections"
    __table_args__ = (Index("ix_forecast_selections_series", "item_id", "region_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("forecast_runs.id", ondelete="SET NULL"))
    chosen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    history_end: Mapped[dt.date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(32))
    # What the refit needs beyond the method, e.g. the ETS model ("MAMN": errors, trend, season, damping).
    params: Mapped[str] = mapped_column(String(64), default="")
    mase: Mapped[float | None] = mapped_column(Float)
    seasonal_naive_mase: Mapped[float | None] = mapped_column(Float)
    why: Mapped[str] = mapped_column(String(32), default="")  # new, weekly, drift
    # Conformal calibration from the backtest errors (engine.calibration): daily 80 % quantiles of the error per
    # unit of forecast level, and the cumulative band as level * q * h^power.
    daily_low: Mapped[float | None] = mapped_column(Float)
    daily_high: Mapped[float | None] = mapped_column(Float)
    cum_power: Mapped[float | None] = mapped_column(Float)
    cum_low: Mapped[float | None] = mapped_column(Float)
    cum_high: Mapped[float | None] = mapped_column(Float)


class ForecastPoint(Base):
    """The forecast of one series for one day: central value, the 80% interval, and the 80 % band of cumulative
    demand from the first forecast day through this one (NULL where the engine had no backtest to calibrate it)."""

    __tablename__ = "forecast_points"

    series_id: Mapped[int] = mapped_column(ForeignKey("forecast_series.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    yhat: Mapped[float] = mapped_column(Float)
    yhat_lower: Mapped[float] = mapped_column(Float)
    yhat_upper: Mapped[float] = mapped_column(Float)
    cum_lower: Mapped[float | None] = mapped_column(Float)
    cum_upper: Mapped[float | None] = mapped_column(Float)


class FlagLevel(enum.StrEnum):
    """How soon an item may run out, worst last."""

    NONE = "none"
    WATCH = "watch"
    WARNING = "warning"
    CRITICAL = "critical"


class FlagChange(enum.StrEnum):
    """How an item's flag moved against its previous state."""

    NEW = "new"
    WORSENED = "worsened"
    IMPROVED = "improved"
    RESOLVED = "resolved"
    UNCHANGED = "unchanged"


class FlagEventKind(enum.StrEnum):
    """What a line of a flag's history records: a change of the flag, or of its acknowledgement."""

    NEW = "new"
    WORSENED = "worsened"
    IMPROVED = "improved"
    RESOLVED = "resolved"
    ACKNOWLEDGED = "acknowledged"
    WITHDRAWN = "withdrawn"  # the acknowledgement was withdrawn by a person
    LAPSED = "lapsed"  # the acknowledgement ended because the flag worsened


class FlagState(Base):
    """An item's flag as last recorded: what the next evaluation compares with to write history."""

    __tablename__ = "flag_states"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True)
    level: Mapped[FlagLevel] = mapped_column(str_enum(FlagLevel, "flag_level"))
    stockout_central: Mapped[dt.date | None] = mapped_column(Date)
    stockout_pessimistic: Mapped[dt.date | None] = mapped_column(Date)
    probability_lead: Mapped[float] = mapped_column(Float, default=0.0)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("forecast_runs.id"))
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class FlagEvent(Base):
    """One line of an item's flag history (append-only): a change of level, or an acknowledgement's start or end."""

    __tablename__ = "flag_events"
    __table_args__ = (Index("ix_flag_events_item_at", "item_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[FlagEventKind] = mapped_column(str_enum(FlagEventKind, "flag_event_kind"))
    level: Mapped[FlagLevel] = mapped_column(str_enum(FlagLevel, "flag_event_level"))
    previous_level: Mapped[FlagLevel | None] = mapped_column(str_enum(FlagLevel, "flag_event_previous_level"))
    stockout_central: Mapped[dt.date | None] = mapped_column(Date)
    stockout_pessimistic: Mapped[dt.date | None] = mapped_column(Date)
    probability_lead: Mapped[float] = mapped_column(Float, default=0.0)
    cause: Mapped[str] = mapped_column(String(120), default="")
    run_id: Mapped[int | None] = mapped_column(ForeignKey("forecast_runs.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    user: Mapped[User | None] = relationship(lazy="joined")


class Acknowledgement(Base):
    """Someone has seen an item's flag and says what is done; it holds until the flag worsens or is withdrawn."""

    __tablename__ = "flag_acknowledgements"
    __table_args__ = (
        # At most one acknowledgement in force per item.
        Index("uq_flag_acknowledgements_open_item", "item_id", unique=True,
              sqlite_where=text("ended_at IS NULL"), postgresql_where=text("ended_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"), index=True)
    level: Mapped[FlagLevel] = mapped_column(str_enum(FlagLevel, "acknowledged_level"))
    stockout_central: Mapped[dt.date | None] = mapped_column(Date)
    horizon_end: Mapped[dt.date] = mapped_column(Date)  # "no stock-out" counts as this day when comparing
    note: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str] = mapped_column(String(16), default="")

    by: Mapped[User] = relationship(lazy="joined")
