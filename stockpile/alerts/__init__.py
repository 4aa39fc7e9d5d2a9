"""Alerts that reach people: notifications in the app (with the unread count in the header) and e-mail.

`init_app` registers the alerts with the domains whose changes they tell of (requests' moves, flag changes, failed
runs), once per app, and gives every page the signed-in user's unread count.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from stockpile.alerts import services, triggers
from stockpile.forecast import hooks as forecast_hooks
from stockpile.requests import hooks as request_hooks


def init_app(app: Flask) -> None:
    """Hook the alerts into this app's requests and forecasting; the header's unread count for templates."""
    request_hooks.on_request_moved(app, triggers.request_moved)
    forecast_hooks.on_flag_events(app, triggers.flags_recorded)
    forecast_hooks.on_run_failed(app, triggers.run_failed)
    app.context_processor(_header_helpers)


def _header_helpers() -> dict[str, Any]:
    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        try:
            return services.unread_count(current_user)
        except SQLAlchemyError:
            # The error page of a failing database (a 503) must not fail again on the header's count.
            return 0

    return {"unread_notifications": unread_notifications}
