"""Language and time zone: English first, Dutch to follow; times shown in Europe/Amsterdam."""

from __future__ import annotations

import datetime as dt

from flask import Flask, current_app, has_request_context, request
from flask_babel import format_date, format_datetime


def select_locale() -> str | None:
    """The best of the configured languages for the browser's Accept-Language."""
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "en"


def select_timezone() -> str:
    """Crisis staff work in Dutch time, whatever the server's zone."""
    return str(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_datetime(value: dt.datetime | None) -> str:
    """A stored UTC time as Amsterdam time, for templates."""
    return "" if value is None else str(format_datetime(value, "yyyy-MM-dd HH:mm"))


def local_date(value: dt.date | None) -> str:
    """A date for templates."""
    return "" if value is None else str(format_date(value, "yyyy-MM-dd"))


def init_app(app: Flask) -> None:
    """Register the template filters."""
    app.add_template_filter(local_datetime, "datetime")
    app.add_template_filter(local_date, "date")
