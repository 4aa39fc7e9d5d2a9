"""What makes an alert, and who it reaches: the hooks the other domains call, and the overdue-delivery check.

* a request's move: the users of its region (not the one who moved it);
* a new or worsened critical or warning flag: the continuity section, and the users of the regions that asked for
  the item recently (`recipients.regions_using`);
* a failed forecast run: the administrators;
* an expected delivery past its date: logistics, once per delivery (the scheduler's daily check).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select

from stockpile.alerts import recipients
from stockpile.alerts.models import AlertKind, Notification
from stockpile.alerts.services import already_notified, app_path, notify
from stockpile.auth.models import Role
from stockpile.db import local_today, session
from stockpile.forecast.models import DeliveryStatus, ExpectedDelivery, FlagEvent, FlagEventKind, FlagLevel, ForecastRun
from stockpile.reference.models import Item
from stockpile.requests.models import RequestState, SupplyRequest

ALERTING_CHANGES = (FlagEventKind.NEW, FlagEventKind.WORSENED)
ALERTING_LEVELS = (FlagLevel.WARNING, FlagLevel.CRITICAL)


def request_moved(request: SupplyRequest, old: RequestState, new: RequestState, user_id: int | None,
                  comment: str) -> None:
    """Tell the request's region that it moved (the region user who moved it knows already)."""
    users = [user for user in recipients.of_regions([request.region_id]) if user.id != user_id]
    params = {"number": request.number, "old": old.value, "new": new.value,
              "process": request.essential_process.code if request.essential_process else "",
              "region": request.region.code if request.region else "",
              "comment": comment[:500]}
    notify(users, AlertKind.REQUEST, f"request:{request.id}", params,
           app_path("requests.show_request", request_id=request.id))


def flags_recorded(events: Sequence[FlagEvent]) -> list[Notification]:
    """Tell the continuity section and the regions using the item of every new or worsened warning or critical flag."""
    made: list[Notification] = []
    for event in events:
        if event.kind not in ALERTING_CHANGES or event.level not in ALERTING_LEVELS:
            continue
        item = session().get(Item, event.item_id)
        if item is None:
            continue
        params = {"item_code": item.code, "item_name": item.name, "level": event.level.value,
                  "previous": event.previous_level.value if event.previous_level else None,
                  "stockout_central": event.stockout_central.isoformat() if event.stockout_central else None,
                  "probability_lead": event.probability_lead, "event_id": event.id}
        subject = f"item:{item.id}"
        made += notify(recipients.with_role(Role.CONTINUITY), AlertKind.FLAG, subject, params,
                       app_path("forecast.item_page", item_id=item.id))
        # Regions cannot open the scarcity pages: their notice carries the figures and no link.
        made += notify(recipients.of_regions(recipients.regions_using(item.id)), AlertKind.FLAG, subject, params)
    return made


def run_failed(run: ForecastRun) -> None:
    """Tell the administrators that a forecast run failed, with its reason."""
    notify(recipients.with_role(Role.ADMIN), AlertKind.RUN_FAILED, f"run:{run.id}",
           {"run_id": run.id, "error": (run.error_summary or "")[:500]}, app_path("forecast.run_page", run_id=run.id))


def notify_overdue_deliveries(today: dt.date | None = None) -> list[Notification]:
    """Tell logistics of each expected delivery past its date, once per delivery (the scheduler's daily job)."""
    today = today or local_today()
    overdue = session().scalars(select(ExpectedDelivery).where(ExpectedDelivery.status == DeliveryStatus.EXPECTED,
                                                               ExpectedDelivery.expected_date < today)
                                .order_by(ExpectedDelivery.expected_date, ExpectedDelivery.id)).all()
    logistics = recipients.with_role(Role.LOGISTICS)
    made: list[Notification] = []
    for delivery in overdue:
        subject = f"delivery:{delivery.id}"
        if already_notified(AlertKind.DELIVERY_OVERDUE, subject):
            continue
        params = {"delivery_id": delivery.id, "item_code": delivery.item.code, "quantity": delivery.quantity,
                  "supplier": delivery.supplier, "expected_date": delivery.expected_date.isoformat()}
        made += notify(logistics, AlertKind.DELIVERY_OVERDUE, subject, params, app_path("forecast.list_deliveries"))
    return made
