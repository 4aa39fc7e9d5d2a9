"""The verbs of forecasting that people use: expected deliveries and what-if checks (flags: flag_history.py)."""

from __future__ import annotations

import datetime as dt
import math

from flask_babel import gettext as _

from stockpile import audit
from stockpile.db import local_today, session, utcnow
from stockpile.errors import FieldErrors, InvalidTransition, NotFound
from stockpile.forecast.labels import delivery_status_label
from stockpile.forecast.models import DELIVERY_TRANSITIONS, DeliveryStatus, ExpectedDelivery
from stockpile.reference.models import Item

MAX_FACTOR = 10.0


def record_delivery(*, item_id: int, quantity: int, expected_date: dt.date, supplier: str, note: str,
                    user_id: int | None) -> ExpectedDelivery:
    """Record a delivery a supplier promised; a date in the past or a quantity below one is refused."""
    errors: dict[str, list[str]] = {}
    item = session().get(Item, item_id)
    if item is None or not item.active:
        errors["item_id"] = [_("Choose an active item.")]
    if quantity is None or quantity < 1:
        errors["quantity"] = [_("The quantity must be at least 1.")]
    if expected_date is None or expected_date < local_today():
        errors["expected_date"] = [_("The expected date cannot be in the past.")]
    if not (supplier or "").strip():
        errors["supplier"] = [_("Name the supplier.")]
    if errors:
        raise FieldErrors(errors)
    delivery = ExpectedDelivery(item_id=item_id, quantity=quantity, expected_date=expected_date,
                                supplier=supplier.strip(), note=(note or "").strip(), created_by_id=user_id)
    session().add(delivery)
    session().flush()
    audit.record(user_id, "delivery.record", delivery, item_id=item_id, quantity=quantity, date=expected_date)
    return delivery


def get_delivery(delivery_id: int) -> ExpectedDelivery:
    """A delivery by id, or NotFound."""
    delivery = session().get(ExpectedDelivery, delivery_id)
    if delivery is None:
        raise NotFound(_("No such expected delivery."))
    return delivery


def close_delivery(delivery_id: int, status: DeliveryStatus, user_id: int | None) -> ExpectedDelivery:
    """Mark an expected delivery received or cancelled; either way the projection stops counting it."""
    delivery = get_delivery(delivery_id)
    if status not in DELIVERY_TRANSITIONS[delivery.status]:
        raise InvalidTransition(_("This delivery is %(status)s and cannot become %(new)s.",
                                  status=delivery_status_label(delivery.status), new=delivery_status_label(status)))
    old = delivery.status
    delivery.status = status
    delivery.closed_at = utcnow()
    session().flush()
    audit.record(user_id, "delivery.status", delivery, old=old.value, new=status.value)
    return delivery


def check_factor(factor: float | None) -> float:
    """A what-if demand factor must lie in (0, 10]; anything else is refused naming `factor`."""
    if factor is None or not math.isfinite(factor) or factor <= 0 or factor > MAX_FACTOR:
        raise FieldErrors.one("factor", _("The factor must be more than 0 and at most %(max)d.", max=MAX_FACTOR))
    return float(factor)
