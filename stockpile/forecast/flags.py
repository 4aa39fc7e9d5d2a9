"""Scarcity flags from a projection, their change since the previous run, and the sentence that explains one."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from stockpile import formats
from stockpile.forecast.models import DeliveryStatus, FlagChange, FlagLevel, RunStatus, RunTrigger
from stockpile.forecast.projection import Projection

SEVERITY = {FlagLevel.NONE: 0, FlagLevel.WATCH: 1, FlagLevel.WARNING: 2, FlagLevel.CRITICAL: 3}


def flag_level(pessimistic_days: int | None, lead_time_days: int, safety_stock_days: int, horizon: int) -> FlagLevel:
    """critical within the lead time, warning within lead time + safety stock, watch within the horizon."""
    if pessimistic_days is None:
        return FlagLevel.NONE
    if pessimistic_days <= lead_time_days:
        return FlagLevel.CRITICAL
    if pessimistic_days <= lead_time_days + safety_stock_days:
        return FlagLevel.WARNING
    if pessimistic_days <= horizon:
        return FlagLevel.WATCH
    return FlagLevel.NONE


def compare(previous: FlagLevel | None, current: FlagLevel) -> FlagChange:
    """How a flag moved since the previous run (no previous flag counts as none)."""
    before = SEVERITY[previous or FlagLevel.NONE]
    now = SEVERITY[current]
    if before == now:
        return FlagChange.UNCHANGED
    if before == 0:
        return FlagChange.NEW
    if now == 0:
        return FlagChange.RESOLVED
    return FlagChange.WORSENED if now > before else FlagChange.IMPROVED


def level_for(projection: Projection, lead_time_days: int, safety_stock_days: int) -> FlagLevel:
    """The flag of a projection for an item's lead time and safety stock."""
    days = projection.days_until(projection.stockout_pessimistic)
    return flag_level(days, lead_time_days, safety_stock_days, len(projection.central))


def explain(code: str, level: FlagLevel, usable: int, per_day: float, pessimistic: dt.date | None, start: dt.date,
            lead_time_days: int, safety_stock_days: int) -> str:
    """One sentence with the numbers, e.g. 'FFP2-CUP: 12,400 usable, about 1,050/day forecast; …'."""
    head = str(_("%(code)s: %(usable)s usable, about %(rate)s/day forecast", code=code,
             usable=formats.number(usable), rate=formats.number(per_day)))
    if pessimistic is None:
        return head + str(_("; no stock-out expected within the horizon, even pessimistically."))
    days = (pessimistic - start).days
    tail = {
        FlagLevel.CRITICAL: _("within the %(lead)d-day lead time.", lead=lead_time_days),
        FlagLevel.WARNING: _("within the lead time plus %(safety)d days of safety stock (%(total)d days).",
                             safety=safety_stock_days, total=lead_time_days + safety_stock_days),
    }.get(level, _("within the horizon, beyond lead time and safety stock."))
    middle = _("; pessimistic stock-out %(date)s (%(days)d days), ", date=formats.date(pessimistic), days=days)
    return f"{head}{middle}{tail}"


def level_label(level: FlagLevel) -> str:
    """A flag level in words for pages."""
    return str({
        FlagLevel.NONE: _("no flag"),
        FlagLevel.WATCH: _("watch"),
        FlagLevel.WARNING: _("warning"),
        FlagLevel.CRITICAL: _("critical"),
    }[level])


def change_label(change: FlagChange) -> str:
    """A change since the last run in words for pages."""
    return str({
        FlagChange.NEW: _("new"),
        FlagChange.WORSENED: _("worsened"),
        FlagChange.IMPROVED: _("improved"),
        FlagChange.RESOLVED: _("resolved"),
        FlagChange.UNCHANGED: _("unchanged"),
    }[change])


def run_status_label(status: RunStatus) -> str:
    """A forecast run's status in words for pages."""
    return str({
        RunStatus.RUNNING: _("running"),
        RunStatus.SUCCEEDED: _("succeeded"),
        RunStatus.FAILED: _("failed"),
    }[status])


def run_trigger_label(trigger: RunTrigger) -> str:
    """What started a forecast run, in words for pages."""
    return str({
        RunTrigger.SCHEDULED: _("nightly schedule"),
        RunTrigger.MANUAL: _("started on the page"),
        RunTrigger.CLI: _("command line"),
    }[trigger])


def delivery_status_label(status: DeliveryStatus) -> str:
    """An expected delivery's status in words for pages and messages."""
    return str({
        DeliveryStatus.EXPECTED: _("expected"),
        DeliveryStatus.RECEIVED: _("received"),
        DeliveryStatus.CANCELLED: _("cancelled"),
    }[status])
