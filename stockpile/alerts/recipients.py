"""Who hears of what: a request's region, the continuity section, regions that use an item, administrators,
logistics. Only active users."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select

from stockpile.auth.models import Role, User
from stockpile.db import session, utcnow
from stockpile.requests.models import RequestLine, RequestState, SupplyRequest

# A region "uses" an item when it asked for it within this many days (any request past its draft).
USES_ITEM_DAYS = 90


def with_role(role: Role) -> list[User]:
    """Active users of one role."""
    return list(session().scalars(select(User).where(User.role == role, User.active.is_(True)).order_by(User.id)))


def of_regions(region_ids: Sequence[int]) -> list[User]:
    """Active region users of these regions."""
    if not region_ids:
        return []
    return list(session().scalars(select(User).where(User.role == Role.REGION, User.active.is_(True),
                                                     User.region_id.in_(list(region_ids))).order_by(User.id)))


def regions_using(item_id: int, now: dt.datetime | None = None) -> list[int]:
    """Regions whose processes asked for the item recently: they will feel its scarcity first."""
    since = (now or utcnow()) - dt.timedelta(days=USES_ITEM_DAYS)
    stmt = (select(SupplyRequest.region_id).distinct()
            .join(RequestLine, RequestLine.request_id == SupplyRequest.id)
            .where(RequestLine.item_id == item_id, SupplyRequest.state != RequestState.DRAFT,
                   SupplyRequest.created_at >= since))
    return sorted(session().scalars(stmt))
