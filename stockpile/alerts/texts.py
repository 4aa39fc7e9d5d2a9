"""A notification in words, in the reader's language: written when it is read (or mailed), from its stored figures.

A notification keeps its kind and figures, not sentences, so the same alert reads in Dutch for one user and in
English for another, and a page in either language shows numbers and dates as that language writes them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask_babel import gettext as _

from stockpile import formats
from stockpile.alerts.models import AlertKind, EmailMode, Notification
from stockpile.forecast.flags import level_label
from stockpile.forecast.models import FlagLevel
from stockpile.requests.models import RequestState
from stockpile.requests.policy import STATE_LABELS


def title(notification: Notification) -> str:
    """One line that says what happened."""
    p = notification.params
    if notification.kind is AlertKind.REQUEST:
        return str(_("Request %(number)s is now %(state)s.", number=p["number"],
                     state=STATE_LABELS[RequestState(p["new"])]))
    if notification.kind is AlertKind.FLAG:
        if p.get("previous") and p["previous"] != FlagLevel.NONE.value:
            return str(_("%(code)s: the flag worsened to %(level)s (was %(previous)s).", code=p["item_code"],
                         level=level_label(FlagLevel(p["level"])), previous=level_label(FlagLevel(p["previous"]))))
        return str(_("%(code)s: new %(level)s flag.", code=p["item_code"], level=level_label(FlagLevel(p["level"]))))
    if notification.kind is AlertKind.RUN_FAILED:
        return str(_("Forecast run %(id)s failed.", id=p["run_id"]))
    return str(_("Delivery of %(quantity)s %(code)s from %(supplier)s is overdue: it was expected %(date)s.",
                 quantity=formats.number(p["quantity"]), code=p["item_code"], supplier=p["supplier"],
                 date=formats.date(dt.date.fromisoformat(p["expected_date"]))))


def detail(notification: Notification) -> str:
    """What else the reader needs to judge it (may be empty)."""
    p = notification.params
    if notification.kind is AlertKind.REQUEST:
        head = str(_("%(process)s, %(region)s.", process=p["process"], region=p["region"]))
        return f"{head} {p['comment']}" if p.get("comment") else head
    if notification.kind is AlertKind.FLAG:
        central = p.get("stockout_central")
        when = formats.date(dt.date.fromisoformat(central)) if central else str(_("not within the horizon"))
        return str(_("%(name)s. Stock-out expected %(date)s; chance of a stock-out within the lead time %(p)s.",
                     name=p["item_name"], date=when, p=formats.share(p.get("probability_lead", 0.0))))
    if notification.kind is AlertKind.RUN_FAILED:
        return str(_("The previous forecast stays in force. Reason: %(error)s", error=p.get("error") or "?"))
    return str(_("Mark it received or cancelled, or ask the supplier for a new date."))


def kind_label(kind: AlertKind) -> str:
    """A kind of alert in words, for the preferences."""
    return str({
        AlertKind.REQUEST: _("A request of your region changes state"),
        AlertKind.FLAG: _("A new or worsened critical or warning flag"),
        AlertKind.RUN_FAILED: _("A forecast run failed"),
        AlertKind.DELIVERY_OVERDUE: _("An expected delivery is overdue"),
    }[kind])


def email_label(mode: EmailMode) -> str:
    """How alerts are e-mailed, in words."""
    return str({
        EmailMode.OFF: _("no e-mail"),
        EmailMode.IMMEDIATE: _("e-mail at once"),
        EmailMode.DAILY: _("daily digest"),
    }[mode])


def as_fields(notification: Notification) -> dict[str, Any]:
    """A notification with its words, for the API and pages."""
    return {"id": notification.id, "kind": notification.kind, "subject": notification.subject,
            "title": title(notification), "detail": detail(notification), "link": notification.link or None,
            "created_at": notification.created_at, "read_at": notification.read_at}
