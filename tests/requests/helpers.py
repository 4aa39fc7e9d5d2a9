"""Arranging requests for tests."""

from __future__ import annotations

import datetime as dt

from stockpile.db import local_today
from stockpile.requests import services
from stockpile.requests.models import SupplyRequest


def draft_data(process, lines, **kw) -> services.DraftData:
    values = {"essential_process_id": process.id, "needed_by": local_today() + dt.timedelta(days=7),
                  "justification": "Wave 2 in nursing homes", "contact": "J. de Vries 06-12345678",
                  "lines": [(item.id, qty) for item, qty in lines], "delivery_address": "Stationsplein 1, Utrecht"}
    return services.DraftData(**{**values, **kw})


def submitted(user, process, lines, **kw) -> SupplyRequest:
    request = services.create_draft(user, draft_data(process, lines, **kw))
    services.submit(request, user)
    return request
