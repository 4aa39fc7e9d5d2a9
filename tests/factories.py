"""Factories for tests: they flush, never commit."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import select

from stockpile.auth import services as auth_services
from stockpile.auth.models import Role, User
from stockpile.db import session
from stockpile.reference.models import EssentialProcess, Item, ItemCategory, Region, Warehouse

_counter = itertools.count(1)
PASSWORD = "correct horse battery"


def user(role: Role, region_code: str | None = None, password: str = PASSWORD, **kw: Any) -> User:
    n = next(_counter)
    return auth_services.create_user(f"{role.value}{n}@test.example", password, role, region_code, **kw)


def region(code: str = "VR09") -> Region:
    found = session().scalar(select(Region).where(Region.code == code))
    assert found is not None, f"region {code} should be seeded by the migration"
    return found


def item(**kw: Any) -> Item:
    n = next(_counter)
    values: dict[str, Any] = {
        "code": f"ITEM-{n}", "name": f"Test item {n}", "category": ItemCategory.RESPIRATORY,
        "unit_of_issue": "piece", "units_per_pack": 10, "en_standard": "EN 149 FFP2",
        "shelf_life_months": 60, "lead_time_days": 14, "safety_stock_days": 7,
    }
    obj = Item(**{**values, **kw})
    session().add(obj)
    session().flush()
    return obj


def warehouse(**kw: Any) -> Warehouse:
    n = next(_counter)
    values: dict[str, Any] = {"code": f"WH-{n}", "name": f"Warehouse {n}", "address": "", "region": region()}
    obj = Warehouse(**{**values, **kw})
    session().add(obj)
    session().flush()
    return obj


def process(tier: int = 1, **kw: Any) -> EssentialProcess:
    n = next(_counter)
    values: dict[str, Any] = {"code": f"PROC-{n}", "name": f"Process {n}", "sector": "Care", "priority_tier": tier}
    obj = EssentialProcess(**{**values, **kw})
    session().add(obj)
    session().flush()
    return obj
