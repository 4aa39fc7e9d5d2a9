"""Forecast runs' and expected deliveries' states in words, for pages and messages in the user's language."""

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
