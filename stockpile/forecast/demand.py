"""Daily demand history per item (nationally) and per item and region, from requests and ledger issues.

Demand is *unconstrained*: what was asked, not only what could be issued. Two sources feed it:

* request lines (`request_demand`): the quantity asked on a day, also when the line was cut or refused for
  scarcity. These rows come from the regional-requests domain and carry the asking region.
* ledger `issue` movements (`issue_demand`): what left the stockpile where no request exists. Reversed
  issues, and the reversals themselves, are left out.

The rule against counting twice: an issue counts only when no request line is linked to it (a request's picks
are recorded in `line_reservations.issue_movement_id`); the request line already counts at what was asked.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from stockpile.db import LOCAL_ZONE, as_aware_utc, session
from stockpile.inventory.models import Lot, MovementType, StockMovement
from stockpile.requests.models import LineReservation, RequestLine, SupplyRequest
from stockpile.requests.models import RequestState as S

if TYPE_CHECKING:  # pandas only where a run needs a series: the web app reads demand without it
    import pandas as pd

SeriesKey = tuple[int, int | None]  # (item id, region id or None for the national series)


@dataclass(frozen=True)
class DemandRow:
    """Units of one item asked for (or issued) on one day, by a region when known."""

    day: dt.date
    item_id: int
    region_id: int | None
    quantity: int


def request_demand(since: dt.date) -> list[DemandRow]:
    """What regions asked on request lines since a day, on the day they submitted it.

    A line counts at the quantity asked while it waits for review, and when it was cut or rejected because stock
    was short (rationing must not hide the need); a line cut or rejected for another reason counts at what was
    approved. Drafts and cancelled requests express no demand. A re-ask counts only what its original's counted
    but unmet need does not already cover, so asking again for the same need never counts it twice.
    """
    stmt = (
        select(SupplyRequest.id, SupplyRequest.reask_of_id, SupplyRequest.submitted_at, SupplyRequest.region_id,
               SupplyRequest.state, RequestLine.item_id, RequestLine.quantity_requested,
               RequestLine.quantity_approved, RequestLine.cut_for_scarcity)
        .join(RequestLine, RequestLine.request_id == SupplyRequest.id)
        .where(SupplyRequest.state.in_(_COUNTED), SupplyRequest.submitted_at >= _start_of(since))
        .order_by(SupplyRequest.submitted_at, SupplyRequest.id)
    )
    result = session().execute(stmt).all()
    unmet = _unmet_need({row.reask_of_id for row in result if row.reask_of_id is not None})
    rows = []
    for row in result:
        quantity = _counted(row.state, row.quantity_requested, row.quantity_approved, row.cut_for_scarcity)
        if row.reask_of_id is not None:  # the original's unmet need was counted already: take it once
            key = (row.reask_of_id, row.item_id)
            already = min(quantity, unmet.get(key, 0))
            unmet[key] = unmet.get(key, 0) - already
            quantity -= already
        if quantity:
            day = as_aware_utc(row.submitted_at).astimezone(LOCAL_ZONE).date()
            rows.append(DemandRow(day, row.item_id, row.region_id, quantity))
    return rows


def pending_demand(item_ids: list[int]) -> dict[int, int]:
    """Per item, units asked on submitted requests awaiting review (items without any are left out)."""
    rows = session().execute(
        select(RequestLine.item_id, func.sum(RequestLine.quantity_requested))
        .join(SupplyRequest, SupplyRequest.id == RequestLine.request_id)
        .where(RequestLine.item_id.in_(item_ids), SupplyRequest.state == S.SUBMITTED)
        .group_by(RequestLine.item_id)
    )
    return {item_id: int(total or 0) for item_id, total in rows}


_COUNTED = (S.SUBMITTED, S.APPROVED, S.PARTIALLY_APPROVED, S.REJECTED, S.PICKING, S.SHIPPED, S.DELIVERED)


def _counted(state: S, asked: int, approved: int | None, scarce: bool) -> int:
    """What one line counts as demand: the ask while waiting or when stock was short, else what was approved."""
    return asked if state is S.SUBMITTED or scarce else (approved or 0)


def _unmet_need(request_ids: set[int]) -> dict[tuple[int, int], int]:
    """Per (request, item): the need counted on a line but not approved, which a re-ask of it must not add again.

    Read whatever the originals' dates, so a re-ask counts the same however long the history read is.
    """
    if not request_ids:
        return {}
    stmt = (
        select(SupplyRequest.id, SupplyRequest.state, RequestLine.item_id, RequestLine.quantity_requested,
               RequestLine.quantity_approved, RequestLine.cut_for_scarcity)
        .join(RequestLine, RequestLine.request_id == SupplyRequest.id)
        .where(SupplyRequest.id.in_(request_ids), SupplyRequest.state.in_(_COUNTED))
    )
    return {(row.id, row.item_id): _counted(row.state, row.quantity_requested, row.quantity_approved,
                                            row.cut_for_scarcity) - (row.quantity_approved or 0)
            for row in session().execute(stmt)}


def committed_demand(item_id: int) -> int:
    """Units approved on request lines but not yet issued for an item."""
    return committed_demand_by_item([item_id]).get(item_id, 0)


def committed_demand_by_item(item_ids: list[int]) -> dict[int, int]:
    """Per item, units approved on request lines but not yet issued (items without any are left out)."""
    rows = session().execute(
        select(RequestLine.item_id, func.sum(RequestLine.quantity_approved - RequestLine.quantity_issued))
        .join(SupplyRequest, SupplyRequest.id == RequestLine.request_id)
        .where(RequestLine.item_id.in_(item_ids), SupplyRequest.state.in_([S.APPROVED, S.PARTIALLY_APPROVED]))
        .group_by(RequestLine.item_id)
    )
    return {item_id: int(total or 0) for item_id, total in rows}


def issue_demand(since: dt.date, until: dt.date) -> list[DemandRow]:
    """Ledger issues per Dutch calendar day from `since` to `until`, reversed issues left out."""
    reversal = aliased(StockMovement)
    reversed_ids = select(reversal.reverses_id).where(reversal.reverses_id.is_not(None))
    picked_for_requests = select(LineReservation.issue_movement_id).where(
        LineReservation.issue_movement_id.is_not(None))
    stmt = (
        select(StockMovement.created_at, Lot.item_id, StockMovement.quantity)
        .join(Lot, Lot.id == StockMovement.lot_id)
        .where(StockMovement.type == MovementType.ISSUE, StockMovement.reverses_id.is_(None),
               StockMovement.id.not_in(reversed_ids), StockMovement.id.not_in(picked_for_requests))
        .where(StockMovement.created_at >= _start_of(since), StockMovement.created_at < _start_of(until + _DAY))
    )
    return [DemandRow(at.astimezone(LOCAL_ZONE).date(), item_id, None, quantity)
            for at, item_id, quantity in session().execute(stmt)]


def demand_rows(since: dt.date, until: dt.date) -> list[DemandRow]:
    """Every demand row of the period: request lines plus the issues not linked to one."""
    requested = [row for row in request_demand(since) if row.day <= until]
    return requested + issue_demand(since, until)


def daily_totals(item_ids: list[int], since: dt.date, until: dt.date) -> dict[SeriesKey, dict[dt.date, float]]:
    """Demand per series and day (days without demand left out): national per item, and per item and region."""
    totals: dict[SeriesKey, dict[dt.date, float]] = {(item_id, None): {} for item_id in item_ids}
    wanted = set(item_ids)
    for row in demand_rows(since, until):
        if row.item_id not in wanted:
            continue
        keys: list[SeriesKey] = [(row.item_id, None)]
        if row.region_id is not None:
            keys.append((row.item_id, row.region_id))
        for key in keys:
            days = totals.setdefault(key, defaultdict(float))
            days[row.day] = days.get(row.day, 0.0) + row.quantity
    return totals


def daily_demand(item_id: int, since: dt.date, until: dt.date) -> list[tuple[dt.date, float]]:
    """An item's national demand for every day from `since` to `until` (zero-filled), without pandas."""
    days = daily_totals([item_id], since, until)[(item_id, None)]
    span = (until - since).days + 1
    return [(since + dt.timedelta(days=i), days.get(since + dt.timedelta(days=i), 0.0)) for i in range(span)]


def demand_history(item_ids: list[int], since: dt.date, until: dt.date) -> dict[SeriesKey, pd.Series]:
    """Zero-filled daily series: one national per item, one per item and region where regions asked."""
    import pandas as pd

    index = pd.date_range(since, until, freq="D")
    return {key: _daily(days, index) for key, days in daily_totals(item_ids, since, until).items()}


def _daily(days: dict[dt.date, float], index: pd.DatetimeIndex) -> pd.Series:
    import pandas as pd

    series = pd.Series({pd.Timestamp(day): qty for day, qty in days.items()}, dtype=float)
    return series.reindex(index, fill_value=0.0).rename_axis("day")


_DAY = dt.timedelta(days=1)


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight in the Netherlands at the start of a day, as an aware datetime."""
    return dt.datetime.combine(day, dt.time(), LOCAL_ZONE)
