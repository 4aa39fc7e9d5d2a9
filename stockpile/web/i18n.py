"""Language and formats: Dutch or English as the user chose or the browser asks; times in Europe/Amsterdam.

The language is, in this order: the signed-in user's own choice, the choice made in this browser before signing
in, the browser's Accept-Language, the default (English). Numbers, dates and times reach the pages through the
filters registered here, so every page writes them the same way for the language it is rendered in.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale

from stockpile import formats

# The session key that holds a language chosen while nobody is signed in (on the sign-in page).
SESSION_KEY = "locale"
# Each language offered, in its own words: the switch names the language it switches to.
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


def offered_languages() -> list[str]:
    """The languages the service speaks, from the configuration."""
    return [str(code) for code in current_app.config["LANGUAGES"]]


def _user_choice() -> str | None:
    # Only what is already loaded: the error page of a failing database must not ask the database again, and an
    # expired attribute (after a failed flush) would. SQLAlchemy keeps loaded attributes in the instance's __dict__.
    user = g.get("_login_user")
    return vars(user).get("locale") if user is not None and hasattr(user, "__dict__") else None


def select_locale() -> str | None:
    """The language of this request: the user's choice, this browser's choice, or the browser's preference."""
    offered = offered_languages()
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    for choice in (_user_choice(), session.get(SESSION_KEY)):
        if choice in offered:
            return str(choice)
    return request.accept_languages.best_match(offered) or str(current_app.config["BABEL_DEFAULT_LOCALE"])


def select_timezone() -> str:
    """Crisis staff work in Dutch time, whatever the server's zone."""
    return str(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def html_lang() -> str:
    """The language the page is rendered in, as an HTML lang attribute (nl, en)."""
    locale = get_locale()
    return "en" if locale is None else str(locale).replace("_", "-")


def template_helpers() -> dict[str, Any]:
    """The language helpers every template may use."""
    return {"html_lang": html_lang, "language_names": LANGUAGE_NAMES, "offered_languages": offered_languages}


def init_app(app: Flask) -> None:
    """Register the one set of format filters and the language helpers."""
    app.add_template_filter(formats.number, "number")
    app.add_template_filter(formats.share, "share")
    app.add_template_filter(formats.date, "date")
    app.add_template_filter(formats.datetime, "datetime")
    app.context_processor(template_helpers)
