"""Scarcity flags made from the stock-out probability, how a flag moved, when it counts as worse, and its words.

A flag is read off the same distribution as the probability it shows:

* critical: P(stock-out within the lead time) >= CRITICAL, i.e. an order placed today may come too late;
* warning: P(stock-out within the lead time plus the safety-stock days) >= WARNING;
* watch: P(stock-out within the horizon) >= WATCH;
* none otherwise.

With CRITICAL <= 0.5, a central stock-out within the lead time is always critical (the projection guarantees P >= 0.5
then), and a critical flag never shows a probability below CRITICAL. The thresholds were chosen on simulated
epidemic waves (bench/warning_bench.py; the README has the figures).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _

from stockpile import formats
from stockpile.forecast.models import Acknowledgement, FlagChange, FlagEventKind, FlagLevel
from stockpile.forecast.projection import Projection

SEVERITY = {FlagLevel.NONE: 0, FlagLevel.WATCH: 1, FlagLevel.WARNING: 2, FlagLevel.CRITICAL: 3}
CLOSER_DAYS = 7  # a stock-out this much sooner counts as a worse flag (an acknowledgement lapses)


@dataclass(frozen=True)
class FlagRule:
    """The probability a level needs (module docstring)."""

    critical: float = 0.3
    warning: float = 0.3
    watch: float = 0.1


RULE = FlagRule()


def flag_level(projection: Projection, lead_time_days: int, safety_stock_days: int,
               rule: FlagRule = RULE) -> FlagLevel:
    """The flag of a projection for an item's lead time and safety stock."""
    if not projection.probability:
        return FlagLevel.NONE
    if projection.probability_within(lead_time_days) >= rule.critical:
        return FlagLevel.CRITICAL
    if projection.probability_within(lead_time_days + safety_stock_days) >= rule.warning:
        return FlagLevel.WARNING
    if projection.probability[-1] >= rule.watch:
        return FlagLevel.WATCH
    return FlagLevel.NONE


def compare(previous: FlagLevel | None, current: FlagLevel) -> FlagChange:
    """How a flag moved (no previous flag counts as none)."""
    before = SEVERITY[previous or FlagLevel.NONE]
    now = SEVERITY[current]
    if before == now:
        return FlagChange.UNCHANGED
    if before == 0:
        return FlagChange.NEW
    if now == 0:
        return FlagChange.RESOLVED
    return FlagChange.WORSENED if now > before else FlagChange.IMPROVED


def is_worse(level: FlagLevel, stockout: dt.date | None, than_level: FlagLevel, than_stockout: dt.date | None,
             beyond: dt.date) -> bool:
    """A higher level, or a stock-out at least a week sooner (no stock-out counts as `beyond` the horizon)."""
    if SEVERITY[level] > SEVERITY[than_level]:
        return True
    return (stockout or beyond) <= (than_stockout or beyond) - dt.timedelta(days=CLOSER_DAYS)


def still_holds(acknowledgement: Acknowledgement, level: FlagLevel, stockout_central: dt.date | None) -> bool:
    """Whether an open acknowledgement still covers a flag: the flag is no worse than when it was acknowledged."""
    return not is_worse(level, stockout_central, acknowledgement.level, acknowledgement.stockout_central,
                        acknowledgement.horizon_end)


def explain(code: str, level: FlagLevel, projection: Projection | None, lead_time_days: int,
            safety_stock_days: int) -> str:
    """One sentence with the numbers, e.g. 'FFP2-CUP: critical; stock-out expected 2026-12-12 …'."""
    if projection is None or not projection.days:
        return str(_("%(code)s: no stored forecast yet, so no projection.", code=code))
    head = str(_("%(code)s: %(level)s; about %(rate)s a day forecast", code=code, level=level_label(level),
                 rate=formats.number(projection.mean_daily_forecast)))
    if projection.stockout_central is None and projection.stockout_pessimistic is None:
        return head + str(_("; no stock-out expected within %(days)d days, even pessimistically.",
                            days=len(projection.days)))
    dates = str(_("; stock-out expected %(central)s, pessimistically %(pessimistic)s",
                  central=_date(projection.stockout_central), pessimistic=_date(projection.stockout_pessimistic)))
    chances = str(_("; chance of a stock-out within the %(lead)d-day lead time %(p_lead)s, within %(total)d days "
                    "(lead time and safety stock) %(p_total)s.", lead=lead_time_days,
                    p_lead=formats.share(projection.probability_within(lead_time_days)),
                    total=lead_time_days + safety_stock_days,
                    p_total=formats.share(projection.probability_within(lead_time_days + safety_stock_days))))
    return head + dates + chances


def _date(day: dt.date | None) -> str:
    return formats.date(day) if day is not None else str(_("not within the horizon"))


def level_label(level: FlagLevel) -> str:
    """A flag level in words for pages."""
    return str({
        FlagLevel.NONE: _("no flag"),
        FlagLevel.WATCH: _("watch"),
        FlagLevel.WARNING: _("warning"),
        FlagLevel.CRITICAL: _("critical"),
    }[level])


def change_label(change: FlagChange) -> str:
    """A change of a flag in words for pages."""
    return str({
        FlagChange.NEW: _("new"),
        FlagChange.WORSENED: _("worsened"),
        FlagChange.IMPROVED: _("improved"),
        FlagChange.RESOLVED: _("resolved"),
        FlagChange.UNCHANGED: _("unchanged"),
    }[change])


def event_label(kind: FlagEventKind) -> str:
    """A line of the flag history in words for pages."""
    return str({
        FlagEventKind.NEW: _("new flag"),
        FlagEventKind.WORSENED: _("worsened"),
        FlagEventKind.IMPROVED: _("improved"),
        FlagEventKind.RESOLVED: _("resolved"),
        FlagEventKind.ACKNOWLEDGED: _("acknowledged"),
        FlagEventKind.WITHDRAWN: _("acknowledgement withdrawn"),
        FlagEventKind.LAPSED: _("acknowledgement ended: the flag worsened"),
    }[kind])
