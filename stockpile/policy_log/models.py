"""The versioned policy: one append-only row per change of a rule, its id the policy version."""

from __future__ import annotations

import datetime as dt
import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from stockpile.auth.models import User
from stockpile.db import Base, UTCDateTime, utcnow
from stockpile.reference.models import EssentialProcess, Item, str_enum


class CrisisPhase(enum.StrEnum):
    """The phase of the crisis the policy is set for."""

    NORMAL = "normal"
    SCALING_UP = "scaling_up"
    CRISIS = "crisis"
    SCALING_DOWN = "scaling_down"


class PolicyTopic(enum.StrEnum):
    """What kind of rule a change is about."""

    PHASE = "phase"
    MIN_SHELF_LIFE = "min_shelf_life"
    PRIORITY_TIER = "priority_tier"
    ALLOCATION = "allocation"
    NORM_CAP = "norm_cap"
    SUBSTITUTION = "substitution"


PHASE_LABELS = {
    CrisisPhase.NORMAL: _l("normal"),
    CrisisPhase.SCALING_UP: _l("scaling up"),
    CrisisPhase.CRISIS: _l("crisis"),
    CrisisPhase.SCALING_DOWN: _l("scaling down"),
}
TOPIC_LABELS = {
    PolicyTopic.PHASE: _l("crisis phase"),
    PolicyTopic.MIN_SHELF_LIFE: _l("minimum shelf life (days)"),
    PolicyTopic.PRIORITY_TIER: _l("priority tier"),
    PolicyTopic.ALLOCATION: _l("allocation"),
    PolicyTopic.NORM_CAP: _l("norm-usage cap"),
    PolicyTopic.SUBSTITUTION: _l("substitution"),
}


class PolicyVersion(Base):
    """One change of one rule: the version number is the id; never updated or deleted (database triggers)."""

    __tablename__ = "policy_versions"
    __table_args__ = (Index("ix_policy_versions_rule", "topic", "essential_process_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[PolicyTopic] = mapped_column(str_enum(PolicyTopic, "policy_topic"))
    # The rule's scope: a process (its tier), a process and an item (allocation, cap), an item, or nothing (global).
    essential_process_id: Mapped[int | None] = mapped_column(ForeignKey("essential_processes.id"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id"))
    old_value: Mapped[str] = mapped_column(String(200), default="")
    new_value: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    # The crisis phase in force once this change was made.
    phase: Mapped[CrisisPhase] = mapped_column(str_enum(CrisisPhase, "crisis_phase"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User | None] = relationship(lazy="joined")
    essential_process: Mapped[EssentialProcess | None] = relationship(lazy="joined")
    item: Mapped[Item | None] = relationship(lazy="joined")

    @property
    def number(self) -> str:
        return f"P-{self.id}"
