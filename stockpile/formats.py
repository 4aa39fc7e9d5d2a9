"""Numbers, dates and times written for the language of the request: the one definition pages and messages use.

Flask-Babel formats with the locale chosen for the request (stockpile.web.i18n) and shows times in Europe/Amsterdam:
in Dutch 11.439, 2,5, 3 dec 2026 and 3 dec 2026 15:05; in English 11,439, 2.5, Dec 3, 2026 and Dec 3, 2026 3:05 PM.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import format_date, format_decimal, format_percent, format_time


def number(value: float | None, digits: int = 0) -> str:
    """A number with the locale's grouping and decimal sign, rounded to `digits` decimals; '' for nothing."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return str(format_decimal(value, format=pattern))


def share(value: float | None) -> str:
    """A fraction as a whole percentage (0.953 is 95%); '—' when there is none."""
    return "—" if value is None else str(format_percent(value))


def date(value: dt.date | None) -> str:
    """A date with its month in words, so it is never read as another day; '' for nothing."""
    return "" if value is None else str(format_date(value, "medium"))


def datetime(value: dt.datetime | None) -> str:
    """A stored UTC time as the date and time in Amsterdam; '' for nothing."""
    if value is None:
        return ""
    return f"{format_date(value, 'medium')} {format_time(value, 'short')}"
