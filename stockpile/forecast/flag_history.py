"""The recorded side of flags: each item's last recorded state, its history, and acknowledgements that last.

`record()` compares freshly computed outlooks with the recorded state and writes a history line for every change
(new, worsened, improved, resolved); it runs after every succeeded forecast run and in the scheduler's reconciliation
job, so the history follows the stock between runs. An acknowledgement holds, with its note, through later runs and
re-evaluations until the flag is worse than when it was acknowledged (a higher level, or a central stock-out at least
a week sooner) or someone withdraws it; either end is a line of the history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from flask_babel import gettext as _
from sqlalchemy import select

from stockpile import audit
from stockpile.db import session, utcnow
from stockpile.errors import FieldErrors, InvalidTransition
from stockpile.forecast import hooks
from stockpile.forecast.flags import SEVERITY, compare
from stockpile.forecast.models import (
    Acknowledgement,
    FlagChange,
    FlagEvent,
    FlagEventKind,
    FlagLevel,
    FlagState,
)
from stockpile.forecast.outlook import ItemOutlook
from stockpile.forecast.queries import open_acknowledgements


def record(outlooks: Iterable[ItemOutlook], cause: str, run_id: int | None = None) -> list[FlagEvent]:
    """Write a history line for every flag that changed (and every acknowledgement that lapsed); update the state."""
    outlooks = list(outlooks)
    states = {s.item_id: s for s in session().scalars(
        select(FlagState).where(FlagState.item_id.in_([o.item.id for o in outlooks])))}
    acknowledgements = open_acknowledgements([o.item.id for o in outlooks])
    events: list[FlagEvent] = []
    for outlook in outlooks:
        if outlook.projection is None:
            continue  # nothing known: the recorded state stays as it was
        events.extend(_record_one(outlook, states.get(outlook.item.id), acknowledgements.get(outlook.item.id),
                                  cause, run_id))
    session().flush()
    hooks.flag_events_recorded(events)  # the alerts: new and worsened flags reach the people who act on them
    return events


def _record_one(outlook: ItemOutlook, state: FlagState | None, acknowledgement: Acknowledgement | None,
                cause: str, run_id: int | None) -> list[FlagEvent]:
    events = []
    projection = outlook.projection
    assert projection is not None
    change = compare(state.level if state else None, outlook.level)
    if change is not FlagChange.UNCHANGED:
        events.append(_event(outlook, FlagEventKind(change.value), state.level if state else None, cause, run_id))
    if acknowledgement is not None and outlook.acknowledgement is None:
        acknowledgement.ended_at, acknowledgement.end_reason = utcnow(), "worsened"
        events.append(_event(outlook, FlagEventKind.LAPSED, acknowledgement.level, cause, run_id,
                             note=acknowledgement.note))
    if state is None:
        state = FlagState(item_id=outlook.item.id)
        session().add(state)
    new = (outlook.level, projection.stockout_central, projection.stockout_pessimistic)
    if (state.level, state.stockout_central, state.stockout_pessimistic) != new or events:
        state.level, state.stockout_central, state.stockout_pessimistic = new
        state.probability_lead = outlook.probability_lead
        state.run_id = outlook.forecast.run_id if outlook.forecast else None
        state.changed_at = utcnow()
    session().add_all(events)
    return events


def _event(outlook: ItemOutlook, kind: FlagEventKind, previous: FlagLevel | None, cause: str,
           run_id: int | None, user_id: int | None = None, note: str = "") -> FlagEvent:
    p = outlook.projection
    return FlagEvent(item_id=outlook.item.id, at=utcnow(), kind=kind, level=outlook.level, previous_level=previous,
                     stockout_central=p.stockout_central if p else None,
                     stockout_pessimistic=p.stockout_pessimistic if p else None,
                     probability_lead=outlook.probability_lead, cause=cause[:120], run_id=run_id, user_id=user_id,
                     note=note)


def acknowledge(outlook: ItemOutlook, note: str, user_id: int) -> Acknowledgement:
    """Acknowledge an item's flag with what is being done; it replaces an acknowledgement still open."""
    note = (note or "").strip()
    if not note:
        raise FieldErrors.one("note", _("Say what is being done about this flag."))
    if SEVERITY[outlook.level] == 0 or outlook.projection is None:
        raise InvalidTransition(_("%(code)s has no flag to acknowledge.", code=outlook.item.code))
    _end_open(outlook.item.id, "replaced")
    projection = outlook.projection
    acknowledgement = Acknowledgement(
        item_id=outlook.item.id, level=outlook.level, stockout_central=projection.stockout_central,
        horizon_end=projection.days[-1] + dt.timedelta(days=1), note=note, by_id=user_id, at=utcnow())
    session().add(acknowledgement)
    session().add(_event(outlook, FlagEventKind.ACKNOWLEDGED, None, "acknowledged", None, user_id, note))
    session().flush()
    audit.record(user_id, "flag.acknowledge", acknowledgement, item_id=outlook.item.id, level=outlook.level.value,
                 note=note)
    return acknowledgement


def withdraw(outlook: ItemOutlook, user_id: int) -> Acknowledgement:
    """Withdraw the item's acknowledgement: its flag shows as unacknowledged again."""
    ended = _end_open(outlook.item.id, "withdrawn")
    if ended is None:
        raise InvalidTransition(_("%(code)s has no acknowledgement to withdraw.", code=outlook.item.code))
    session().add(_event(outlook, FlagEventKind.WITHDRAWN, ended.level, "withdrawn", None, user_id, ended.note))
    session().flush()
    audit.record(user_id, "flag.withdraw", ended, item_id=outlook.item.id, note=ended.note)
    return ended


def _end_open(item_id: int, reason: str) -> Acknowledgement | None:
    open_one = open_acknowledgements([item_id]).get(item_id)
    if open_one is not None:
        open_one.ended_at, open_one.end_reason = utcnow(), reason
        session().flush()  # the unique index allows one open acknowledgement per item
    return open_one
