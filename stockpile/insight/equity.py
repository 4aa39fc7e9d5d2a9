"""The equity view: per essential process and region, over chosen weeks, who asked what and what they got.

For the requests submitted in the window (cancelled ones left out, as the forecast's demand leaves them out):

* asked: units on their lines; approved: units approved; delivered: units issued to them (picked and sent);
* fill rate: delivered / asked; unmet: asked - delivered (also what is still on its way);
* cut by rationing: asked - approved on lines cut because stock was short (`cut_for_scarcity`);
* days of cover: the stock free for the process now (after other processes' allocations), shared out by this
  region's part of what the process asked for each item, divided by what the region asks a day for the process;
* the trend: the fill rate of each week's requests, oldest first.

Caps (issue 14) are not in the schema yet, so there is no "cut by caps" column.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from stockpile.db import LOCAL_ZONE, as_aware_utc, local_today, session
from stockpile.errors import FieldErrors
from stockpile.reference.models import EssentialProcess, Region
from stockpile.requests import reservations
from stockpile.requests.models import RequestState, SupplyRequest

MAX_WEEKS = 52
COUNTED = (RequestState.SUBMITTED, RequestState.APPROVED, RequestState.PARTIALLY_APPROVED, RequestState.REJECTED,
           RequestState.PICKING, RequestState.SHIPPED, RequestState.DELIVERED)
SORTS = ("process", "region", "asked", "approved", "delivered", "fill_rate", "unmet", "cut_rationing",
         "days_of_cover")


@dataclass
class WeekFigures:
    """What one (process, region) asked and got in one week (Monday to Sunday, Dutch time)."""

    week_start: dt.date
    asked: int = 0
    delivered: int = 0

    @property
    def fill_rate(self) -> float | None:
        return self.delivered / self.asked if self.asked else None


@dataclass
class EquityRow:
    """One essential process in one region over the window."""

    process_id: int
    process_code: str
    tier: int
    region_id: int
    region_code: str
    requests: int = 0
    asked: int = 0
    approved: int = 0
    delivered: int = 0
    cut_rationing: int = 0
    days_of_cover: float | None = None
    weeks: list[WeekFigures] = field(default_factory=list)

    @property
    def fill_rate(self) -> float | None:
        return self.delivered / self.asked if self.asked else None

    @property
    def unmet(self) -> int:
        return self.asked - self.delivered


def check_weeks(weeks: int | None) -> int:
    """The number of weeks looked back: 1 to 52; anything else is refused naming `weeks`."""
    if weeks is None or not 1 <= weeks <= MAX_WEEKS:
        raise FieldErrors.one("weeks", _("Choose from 1 to %(max)d weeks.", max=MAX_WEEKS))
    return weeks


def window(weeks: int, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The first Monday and the last day (today) of the window: this week and the weeks - 1 before it."""
    today = today or local_today()
    monday = today - dt.timedelta(days=today.weekday())
    return monday - dt.timedelta(weeks=weeks - 1), today


def requests_in_window(weeks: int, process_id: int | None = None, region_id: int | None = None,
                       today: dt.date | None = None) -> list[SupplyRequest]:
    """The requests behind the figures: submitted in the window, for a process and region if named."""
    first, _last = window(weeks, today)
    since = dt.datetime.combine(first, dt.time(), LOCAL_ZONE).astimezone(dt.UTC)
    stmt = (select(SupplyRequest).where(SupplyRequest.state.in_(COUNTED), SupplyRequest.submitted_at >= since)
            .order_by(SupplyRequest.submitted_at, SupplyRequest.id))
    if process_id is not None:
        stmt = stmt.where(SupplyRequest.essential_process_id == process_id)
    if region_id is not None:
        stmt = stmt.where(SupplyRequest.region_id == region_id)
    return list(session().scalars(stmt))


def equity(weeks: int, today: dt.date | None = None, sort: str = "fill_rate", descending: bool = False
           ) -> list[EquityRow]:
    """Every (process, region) that asked in the window, with its figures and weekly trend, sorted."""
    first, last = window(weeks, today)
    week_starts = [first + dt.timedelta(weeks=n) for n in range(weeks)]
    processes = {p.id: p for p in session().scalars(select(EssentialProcess))}
    regions = {r.id: r for r in session().scalars(select(Region))}
    rows: dict[tuple[int, int], EquityRow] = {}
    asked_by_item: dict[tuple[int, int, int], int] = defaultdict(int)  # (process, region, item)
    for request in requests_in_window(weeks, today=today):
        key = (request.essential_process_id, request.region_id)
        if key not in rows:
            process, region = processes[key[0]], regions[key[1]]
            rows[key] = EquityRow(process.id, process.code, process.priority_tier, region.id, region.code,
                                  weeks=[WeekFigures(start) for start in week_starts])
        _add(rows[key], request, first, asked_by_item)
    _days_of_cover(rows, asked_by_item, (last - first).days + 1)
    return sort_rows(list(rows.values()), sort, descending)


def _add(row: EquityRow, request: SupplyRequest, first: dt.date, asked_by_item: dict[tuple[int, int, int], int]
         ) -> None:
    submitted_on = as_aware_utc(request.submitted_at).astimezone(LOCAL_ZONE).date()  # type: ignore[arg-type]
    week = row.weeks[min((submitted_on - first).days // 7, len(row.weeks) - 1)]
    row.requests += 1
    for line in request.lines:
        row.asked += line.quantity_requested
        row.approved += line.quantity_approved or 0
        row.delivered += line.quantity_issued
        if line.cut_for_scarcity and line.quantity_approved is not None:
            row.cut_rationing += line.quantity_requested - line.quantity_approved
        week.asked += line.quantity_requested
        week.delivered += line.quantity_issued
        asked_by_item[(row.process_id, row.region_id, line.item_id)] += line.quantity_requested


def _days_of_cover(rows: dict[tuple[int, int], EquityRow], asked_by_item: dict[tuple[int, int, int], int],
                   days: int) -> None:
    by_process_item: dict[tuple[int, int], int] = defaultdict(int)
    for (process_id, _region_id, item_id), asked in asked_by_item.items():
        by_process_item[(process_id, item_id)] += asked
    free = {key: reservations.free_for_process(key[1], key[0]) for key in by_process_item}
    cover: dict[tuple[int, int], float] = defaultdict(float)
    rate: dict[tuple[int, int], float] = defaultdict(float)
    for (process_id, region_id, item_id), asked in asked_by_item.items():
        share = asked / by_process_item[(process_id, item_id)]
        cover[(process_id, region_id)] += free[(process_id, item_id)] * share
        rate[(process_id, region_id)] += asked / days
    for key, row in rows.items():
        row.days_of_cover = cover[key] / rate[key] if rate[key] > 0 else None


def sort_rows(rows: list[EquityRow], sort: str, descending: bool) -> list[EquityRow]:
    """Sorted by a column (unknown names sort by fill rate); rows without a figure go last either way."""
    sort = sort if sort in SORTS else "fill_rate"

    def key(row: EquityRow) -> tuple[int, object, str, str]:
        value = getattr(row, {"process": "process_code", "region": "region_code"}.get(sort, sort))
        missing = value is None
        if isinstance(value, int | float) and descending:
            value = -value
        return (1 if missing else 0, 0 if missing else value, row.process_code, row.region_code)

    ordered = sorted(rows, key=key)
    if descending and sort in ("process", "region"):
        ordered = sorted(rows, key=lambda r: (getattr(r, f"{sort}_code"), r.process_code, r.region_code),
                         reverse=True)
    return ordered
