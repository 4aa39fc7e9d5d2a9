"""Reading the log: the changes, the rules in force at a version, and the decisions made under each version.

Every change of a rule is a version, so the rule in force at version N for a scope is its latest change at or
before N; a rule never changed since it was created is in force as it stands now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, and_, func, or_, select

from stockpile.auth.models import User
from stockpile.db import LOCAL_ZONE, session
from stockpile.policy_log.models import PolicyTopic, PolicyVersion
from stockpile.reference.models import EssentialProcess, Item, Region
from stockpile.requests.models import RequestLine, RequestState, SupplyRequest

DECIDED = (RequestState.APPROVED, RequestState.PARTIALLY_APPROVED, RequestState.REJECTED, RequestState.PICKING,
           RequestState.SHIPPED, RequestState.DELIVERED)
GLOBAL_TOPICS = (PolicyTopic.PHASE, PolicyTopic.MIN_SHELF_LIFE)


@dataclass(frozen=True)
class DecisionFilter:
    """Which decisions to show: a region, an item, a day (Europe/Amsterdam); each optional."""

    region_id: int | None = None
    item_id: int | None = None
    day: dt.date | None = None


@dataclass(frozen=True)
class Decision:
    """One decided request line and the policy rules in force when it was decided."""

    request: SupplyRequest
    line: RequestLine
    rules: list[PolicyVersion]


def changes(topic: PolicyTopic | None = None) -> Select[PolicyVersion]:
    """Every policy change, newest first, optionally of one topic."""
    stmt = select(PolicyVersion).order_by(PolicyVersion.id.desc())
    return stmt.where(PolicyVersion.topic == topic) if topic is not None else stmt


def rules_in_force(version_id: int | None, process_id: int, item_id: int) -> list[PolicyVersion]:
    """The latest change, at or before the version, of each rule that bears on a process and an item."""
    if version_id is None:
        return []
    scope = or_(PolicyVersion.topic.in_(GLOBAL_TOPICS),
                and_(PolicyVersion.essential_process_id == process_id, PolicyVersion.item_id.is_(None)),
                and_(PolicyVersion.essential_process_id == process_id, PolicyVersion.item_id == item_id),
                and_(PolicyVersion.essential_process_id.is_(None), PolicyVersion.item_id == item_id))
    latest = (select(func.max(PolicyVersion.id)).where(PolicyVersion.id <= version_id, scope)
              .group_by(PolicyVersion.topic, PolicyVersion.essential_process_id, PolicyVersion.item_id))
    return list(session().scalars(select(PolicyVersion).where(PolicyVersion.id.in_(latest))
                                  .order_by(PolicyVersion.topic, PolicyVersion.id)))


def decided_lines(filters: DecisionFilter) -> Select[RequestLine]:
    """Decided request lines, newest decision first, filtered by region, item and the day of the decision."""
    stmt = (select(RequestLine).join(SupplyRequest, SupplyRequest.id == RequestLine.request_id)
            .where(SupplyRequest.state.in_(DECIDED), SupplyRequest.decided_at.is_not(None))
            .order_by(SupplyRequest.decided_at.desc(), RequestLine.id))
    if filters.region_id is not None:
        stmt = stmt.where(SupplyRequest.region_id == filters.region_id)
    if filters.item_id is not None:
        stmt = stmt.where(RequestLine.item_id == filters.item_id)
    if filters.day is not None:
        start = dt.datetime.combine(filters.day, dt.time(), LOCAL_ZONE)
        stmt = stmt.where(SupplyRequest.decided_at >= start, SupplyRequest.decided_at < start + dt.timedelta(days=1))
    return stmt


def decisions(filters: DecisionFilter, limit: int | None = None) -> Iterator[Decision]:
    """Decided lines with the rules in force at their policy version, newest first."""
    stmt = decided_lines(filters)
    if limit is not None:
        stmt = stmt.limit(limit)
    for line in session().scalars(stmt, execution_options={"yield_per": 500}):
        request = line.request
        yield Decision(request, line, rules_in_force(request.policy_version_id, request.essential_process_id,
                                                     line.item_id))


def choices() -> tuple[list[Region], list[Item]]:
    """The regions and items to filter decisions by."""
    regions = list(session().scalars(select(Region).order_by(Region.code)))
    items = list(session().scalars(select(Item).order_by(Item.code)))
    return regions, items


def process(process_id: int) -> EssentialProcess | None:
    """An essential process by id."""
    return session().get(EssentialProcess, process_id)


def user_email(user_id: int) -> str | None:
    """A user's email, for exports."""
    return session().scalar(select(User.email).where(User.id == user_id))
