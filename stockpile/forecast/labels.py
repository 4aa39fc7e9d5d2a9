"""Forecast runs' and expected deliveries' states, and flag events' causes, in words, in the user's language."""

from __future__ import annotations

from flask_babel import gettext as _

from stockpile.forecast.models import DeliveryStatus, RunStatus, RunTrigger


def run_status_label(status: RunStatus) -> str:
    """A forecast run's status in words."""
    return str({
        RunStatus.QUEUED: _("queued"),
        RunStatus.RUNNING: _("running"),
        RunStatus.SUCCEEDED: _("succeeded"),
        RunStatus.FAILED: _("failed"),
        RunStatus.CANCELLED: _("cancelled"),
    }[status])


def run_trigger_label(trigger: RunTrigger) -> str:
    """What started a forecast run, in words."""
    return str({
        RunTrigger.SCHEDULED: _("nightly schedule"),
        RunTrigger.MANUAL: _("started on the page"),
        RunTrigger.CLI: _("command line"),
    }[trigger])


def delivery_status_label(status: DeliveryStatus) -> str:
    """An expected delivery's status in words."""
    return str({
        DeliveryStatus.EXPECTED: _("expected"),
        DeliveryStatus.RECEIVED: _("received"),
        DeliveryStatus.CANCELLED: _("cancelled"),
    }[status])


def cause_label(cause: str, run_id: int | None) -> str:
    """What changed a flag, in words: the history stores it as machine text ("run 12", "stock changed")."""
    if run_id is not None:
        return str(_("run %(id)s", id=run_id))
    if cause == "stock changed":
        return str(_("stock changed"))
    return cause
