"""Each item's outlook, computed in this one place for every page, endpoint and job that shows or records it.

An outlook is computed when it is read, from the stock as it is now and the stored forecast in force: the dashboard,
the item page, the what-if at factor 1, the flags and projection endpoints and the flag history all call
`outlooks()`, so they agree at any moment, also right after a booking, an approval or a delivery, without a new
run. Bookings themselves do no extra work; the stored flag state (for history and acknowledgements) is brought up
to date by `flag_history.record()` after each run and by the scheduler's reconciliation (README).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from stockpile.db import local_today, session
from stockpile.errors import NotFound
from stockpile.forecast import queries
from stockpile.forecast.flags import SEVERITY, flag_level, still_holds
from stockpile.forecast.inputs import ItemInputs, StoredForecast, read_inputs
from stockpile.forecast.models import Acknowledgement, FlagEvent, FlagLevel
from stockpile.forecast.projection import Lot, Projection, project_many
from stockpile.reference.models import Item


@dataclass(frozen=True)
class ItemOutlook:
    """What every surface shows of one item: stock figures, projection, flag and its acknowledgement."""

    item: Item
    today: dt.date
    factor: float
    usable: int
    reserved: int
    committed: int
    pending: int
    forecast: StoredForecast | None
    projection: Projection | None
    level: FlagLevel
    acknowledgement: Acknowledgement | None  # in force: not withdrawn, and the flag has not worsened since
    last_change: FlagEvent | None
    lots: list[Lot]
    deliveries: list[tuple[dt.date, int]]

    @property
    def lead_time_days(self) -> int:
        return self.item.lead_time_days

    @property
    def safety_stock_days(self) -> int:
        return self.item.safety_stock_days

    @property
    def stockout_central(self) -> dt.date | None:
        return self.projection.stockout_central if self.projection else None

    @property
    def stockout_pessimistic(self) -> dt.date | None:
        return self.projection.stockout_pessimistic if self.projection else None

    @property
    def probability_lead(self) -> float:
        """P(stock-out within the lead time)."""
        return self.projection.probability_within(self.lead_time_days) if self.projection else 0.0

    @property
    def probability_total(self) -> float:
        """P(stock-out within the lead time plus the safety-stock days)."""
        days = self.lead_time_days + self.safety_stock_days
        return self.projection.probability_within(days) if self.projection else 0.0

    @property
    def projected_waste(self) -> float:
        """Units the projection leaves to pass their last pick day unused."""
        return self.projection.total_waste if self.projection else 0.0

    @property
    def stale(self) -> bool:
        """The forecast in force no longer reaches past the lead time and safety stock (runs have stopped)."""
        return self.forecast is None or len(self.forecast.days) <= self.lead_time_days + self.safety_stock_days

    def urgency(self) -> tuple[int, dt.date, dt.date, str]:
        """Sort key: the worst flag first, then the soonest stock-out."""
        p = self.projection
        return (-SEVERITY[self.level], (p.stockout_central if p else None) or dt.date.max,
                (p.stockout_pessimistic if p else None) or dt.date.max, self.item.code)


def outlooks(items: Sequence[Item] | None = None, factor: float = 1.0,
             today: dt.date | None = None) -> list[ItemOutlook]:
    """The outlooks of some items (all active ones by default), most urgent first."""
    today = today or local_today()
    if items is None:
        items = session().scalars(select(Item).where(Item.active.is_(True)).order_by(Item.code)).all()
    inputs = read_inputs(items, today)
    data = {item_id: i.projection_input(today, factor) for item_id, i in inputs.items()}
    given = [item_id for item_id, d in data.items() if d is not None]
    projections = dict(zip(given, project_many([d for d in data.values() if d is not None]), strict=True))
    acknowledgements = queries.open_acknowledgements(list(inputs))
    changes = queries.last_changes(list(inputs))
    result = [_outlook(i, today, factor, projections.get(item_id), acknowledgements.get(item_id),
                       changes.get(item_id)) for item_id, i in inputs.items()]
    return sorted(result, key=ItemOutlook.urgency)


def item_outlook(item_id: int, factor: float = 1.0) -> ItemOutlook:
    """One item's outlook, its demand scaled by a what-if factor (1: as it is)."""
    item = session().get(Item, item_id)
    if item is None:
        raise NotFound(_("No such item."))
    return outlooks([item], factor)[0]


def _outlook(inputs: ItemInputs, today: dt.date, factor: float, projection: Projection | None,
             acknowledgement: Acknowledgement | None, change: FlagEvent | None) -> ItemOutlook:
    item = inputs.item
    level = flag_level(projection, item.lead_time_days, item.safety_stock_days) if projection else FlagLevel.NONE
    central = projection.stockout_central if projection else None
    if acknowledgement is not None and not still_holds(acknowledgement, level, central):
        acknowledgement = None
    return ItemOutlook(item, today, factor, inputs.usable, inputs.reserved, inputs.committed, inputs.pending,
                       inputs.forecast, projection, level, acknowledgement, change, inputs.lots, inputs.deliveries)


@dataclass(frozen=True)
class LotWaste:
    """A lot's projected waste: units that pass its last pick day before the forecast demand uses them."""

    lot_id: int
    item_code: str
    last_pick_day: dt.date
    usable: int
    waste: float


def projected_waste_by_lot(item_ids: Sequence[int]) -> dict[int, LotWaste]:
    """Per lot of the items, its projected waste from the items' outlooks (lots under the minimum shelf life left
    are not usable at all, so not here)."""
    items = session().scalars(select(Item).where(Item.id.in_(list(item_ids)))).all()
    result: dict[int, LotWaste] = {}
    for outlook in outlooks(items):
        waste = outlook.projection.waste if outlook.projection else {}
        for lot in outlook.lots:
            if lot.lot_id is not None:
                result[lot.lot_id] = LotWaste(lot.lot_id, outlook.item.code, lot.last_pick_day, lot.quantity,
                                              waste.get(lot.lot_id, 0.0))
    return result
