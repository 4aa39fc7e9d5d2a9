"""Dutch calendar days as UTC bounds for filters, refused (never a 500) when they lie outside the calendar we keep.

Python's datetime ends at the year 9999 and starts at the year 1: a filter on 0001-01-01 or 9999-12-31 overflowed
while turning Amsterdam midnight into UTC. Dates outside FIRST_DAY..LAST_DAY are a FieldErrors (422) instead.
"""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from stockpile import formats
from stockpile.db import LOCAL_ZONE
from stockpile.errors import FieldErrors

FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(9998, 12, 31)


def check_day(field: str, day: dt.date | None) -> None:
    """Refuse a filter date outside FIRST_DAY..LAST_DAY, naming the field."""
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise FieldErrors.one(field, _("Choose a date from %(first)s to %(last)s.", first=formats.date(FIRST_DAY),
                                       last=formats.date(LAST_DAY)))


def local_day_range(since: dt.date | None, until: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Dutch calendar days as UTC bounds: from the start of `since` to the end of `until` (either may be None)."""
    check_day("since", since)
    check_day("until", until)

    def start(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), LOCAL_ZONE).astimezone(dt.UTC)

    return (start(since) if since else None, start(until + dt.timedelta(days=1)) if until else None)
