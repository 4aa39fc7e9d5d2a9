"""The risk grid: P(stock-out for each essential process before a date), per item, as of now.

Each item's sample paths (`projection.sample_paths`, the same ones its flag is read from) are split among the
processes that asked for it (`process_risk.py`): by their share of what was asked on request lines within
SHARE_DAYS, with what their allocations still ring-fence and in the order of their priority tiers.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from stockpile import formats
from stockpile.db import LOCAL_ZONE, local_today, session
from stockpile.errors import FieldErrors
from stockpile.forecast.inputs import read_inputs
from stockpile.forecast.process_risk import Claim, stockout_probability
from stockpile.forecast.projection import sample_paths
from stockpile.reference.models import EssentialProcess, Item
from stockpile.requests.models import Allocation, RequestLine, RequestState, SupplyRequest

SHARE_DAYS = 90  # a process's share of an item's demand: what it asked within this many days
ASKING_STATES = (RequestState.SUBMITTED, RequestState.APPROVED, RequestState.PARTIALLY_APPROVED,
                 RequestState.REJECTED, RequestState.PICKING, RequestState.SHIPPED, RequestState.DELIVERED)
DEFAULT_DAYS_AHEAD = 14


@dataclass(frozen=True)
class RiskCell:
    """One process and one item: its share of the demand, its ring-fenced units and P(stock-out by the date)."""

    item_id: int
    item_code: str
    process_id: int
    process_code: str
    process_name: str
    tier: int
    share: float
    ring_fenced: int
    probability: float


@dataclass(frozen=True)
class RiskGrid:
    """The grid for one date: cells by (process, item), the processes (tier order) and items (code order)."""

    date: dt.date
    horizon_end: dt.date | None
    cells: list[RiskCell]

    def processes(self) -> list[tuple[int, str, str, int]]:
        seen = {(c.tier, c.process_code, c.process_id, c.process_name) for c in self.cells}
        return [(pid, code, name, tier) for tier, code, pid, name in sorted(seen)]

    def items(self) -> list[tuple[int, str]]:
        return [(item_id, code) for code, item_id in sorted({(c.item_code, c.item_id) for c in self.cells})]

    def cell(self, process_id: int, item_id: int) -> RiskCell | None:
        return next((c for c in self.cells if c.process_id == process_id and c.item_id == item_id), None)


def default_date(today: dt.date | None = None) -> dt.date:
    """The date the grid shows when none is chosen: two weeks ahead."""
    return (today or local_today()) + dt.timedelta(days=DEFAULT_DAYS_AHEAD)


def demand_shares(item_ids: list[int], today: dt.date) -> dict[int, dict[int, float]]:
    """Per item, each process's share of what was asked for it within SHARE_DAYS (requests past their draft)."""
    since = dt.datetime.combine(today - dt.timedelta(days=SHARE_DAYS), dt.time(), LOCAL_ZONE).astimezone(dt.UTC)
    rows = session().execute(
        select(RequestLine.item_id, SupplyRequest.essential_process_id, func.sum(RequestLine.quantity_requested))
        .join(SupplyRequest, SupplyRequest.id == RequestLine.request_id)
        .where(RequestLine.item_id.in_(item_ids), SupplyRequest.state.in_(ASKING_STATES),
               SupplyRequest.submitted_at >= since)
        .group_by(RequestLine.item_id, SupplyRequest.essential_process_id))
    asked: dict[int, dict[int, int]] = defaultdict(dict)
    for item_id, process_id, quantity in rows:
        asked[item_id][process_id] = int(quantity or 0)
    return {item_id: {p: q / total for p, q in by_process.items()}
            for item_id, by_process in asked.items() if (total := sum(by_process.values())) > 0}


def risk_grid(date: dt.date, today: dt.date | None = None) -> RiskGrid:
    """P(stock-out for each process on a day before `date`) for every active item with a forecast and processes
    asking for it (or an allocation)."""
    today = today or local_today()
    items = session().scalars(select(Item).where(Item.active.is_(True)).order_by(Item.code)).all()
    inputs = read_inputs(items, today)
    shares = demand_shares([item.id for item in items], today)
    processes = {p.id: p for p in session().scalars(select(EssentialProcess))}
    fenced = {(a.essential_process_id, a.item_id): a.remaining for a in session().scalars(select(Allocation))}
    cells: list[RiskCell] = []
    horizon_end: dt.date | None = None
    for item_id, item_inputs in inputs.items():
        data = item_inputs.projection_input(today, 1.0)
        if data is None or item_id not in shares:
            continue
        last = today + dt.timedelta(days=len(data.forecast) - 1)
        horizon_end = max(horizon_end or last, last)
        claims = [Claim(p, processes[p].priority_tier, share, float(fenced.get((p, item_id), 0)))
                  for p, share in shares[item_id].items()]
        claims += [Claim(p, processes[p].priority_tier, 0.0, float(units)) for (p, i), units in fenced.items()
                   if i == item_id and p not in shares[item_id] and units > 0]
        by_day = stockout_probability(*sample_paths(data), claims)
        before = (date - today).days - 1  # the last day before the date
        for claim in claims:
            probability = float(by_day[claim.process_id][min(before, len(data.forecast) - 1)]) if before >= 0 else 0.0
            process = processes[claim.process_id]
            cells.append(RiskCell(item_id, item_inputs.item.code, process.id, process.code, process.name,
                                  process.priority_tier, claim.share, int(claim.ring_fenced), probability))
    return RiskGrid(date, horizon_end, cells)


def check_date(date: dt.date | None, today: dt.date | None = None, horizon_days: int = 90) -> dt.date:
    """A grid date must be from today to the end of the forecast horizon; anything else is refused naming `date`."""
    today = today or local_today()
    last = today + dt.timedelta(days=horizon_days - 1)
    if date is None or date < today or date > last:
        raise FieldErrors.one("date", _("Choose a date from %(first)s to %(last)s (the forecast's horizon).",
                                        first=formats.date(today), last=formats.date(last)))
    return date
