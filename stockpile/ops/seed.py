"""`stockpile seed-demo`: a realistic demo catalogue, warehouses, processes and one user per role."""

from __future__ import annotations

from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from stockpile.auth import services as auth_services
from stockpile.auth.models import Role, User
from stockpile.db import session, transaction
from stockpile.ops.demo_history import seed_demand_history
from stockpile.reference.models import EssentialProcess, Item, ItemCategory, Region, Warehouse

R, F, H, B, Y = (ItemCategory.RESPIRATORY, ItemCategory.FACE_EYE, ItemCategory.HAND, ItemCategory.BODY,
                 ItemCategory.HYGIENE)
# code, name, category, unit of issue, units per pack, EN standard, shelf life (months), lead time, safety stock (days)
ITEMS: list[tuple[str, str, ItemCategory, str, int, str, int, int, int]] = [
    ("FFP2-CUP", "FFP2 respirator, cup shape", R, "piece", 20, "EN 149 FFP2", 60, 21, 21),
    ("FFP2-FOLD", "FFP2 respirator, folded, valveless", R, "piece", 20, "EN 149 FFP2", 60, 21, 21),
    ("FFP3-VALVE", "FFP3 respirator with exhalation valve", R, "piece", 10, "EN 149 FFP3", 60, 28, 28),
    ("FFP3-FOLD", "FFP3 respirator, folded, valveless", R, "piece", 10, "EN 149 FFP3", 60, 28, 28),
    ("MASK-IIR", "Surgical mask type IIR", R, "piece", 50, "EN 14683 type IIR", 60, 14, 14),
    ("MASK-II", "Surgical mask type II", R, "piece", 50, "EN 14683 type II", 60, 14, 14),
    ("GOGGLES", "Safety goggles, indirect vent", F, "piece", 10, "EN 166", 120, 21, 14),
    ("VISOR", "Face shield, full face", F, "piece", 25, "EN 166", 120, 21, 14),
    ("GLOVE-NIT-S", "Nitrile examination gloves, size S", H, "piece", 100, "EN 455 / EN 374", 60, 14, 14),
    ("GLOVE-NIT-M", "Nitrile examination gloves, size M", H, "piece", 100, "EN 455 / EN 374", 60, 14, 14),
    ("GLOVE-NIT-L", "Nitrile examination gloves, size L", H, "piece", 100, "EN 455 / EN 374", 60, 14, 14),
    ("GLOVE-NIT-XL", "Nitrile examination gloves, size XL", H, "piece", 100, "EN 455 / EN 374", 60, 14, 14),
    ("GOWN-ISO", "Isolation gown, fluid resistant", B, "piece", 10, "EN 14126", 60, 28, 21),
    ("GOWN-SURG", "Surgical gown, sterile", B, "piece", 10, "EN 13795", 60, 28, 21),
    ("COVERALL-3", "Coverall type 3B", B, "piece", 5, "EN 14126 type 3B", 60, 35, 21),
    ("APRON", "Disposable apron, PE", B, "piece", 100, "EN 14126", 60, 14, 14),
    ("DISINF-HAND", "Hand disinfectant 500 ml", Y, "bottle", 12, "EN 1500", 24, 10, 14),
    ("DISINF-SURF", "Surface disinfectant 1 l", Y, "bottle", 6, "EN 13727", 24, 10, 14),
    ("WIPES-ALC", "Alcohol wipes", Y, "pack", 20, "EN 14476", 24, 10, 14),
    ("SHOE-COVER", "Shoe covers", B, "pair", 100, "EN 14126", 60, 14, 14),
]
# code, name, sector, tier
PROCESSES = [
    ("CARE-HOSP", "Hospital care", "Care", 1),
    ("CARE-ELDER", "Nursing homes and home care", "Care", 1),
    ("AMBULANCE", "Ambulance care", "Care", 1),
    ("FIRE", "Fire brigade", "Public order and safety", 2),
    ("POLICE", "Police", "Public order and safety", 2),
    ("WATER", "Drinking water supply", "Utilities", 2),
    ("ENERGY", "Electricity and gas supply", "Utilities", 3),
    ("FOOD", "Food supply chain", "Food", 3),
]
WAREHOUSES = [
    ("WH-ZEIST", "National warehouse Zeist", "Woudenbergseweg 1, Zeist", "VR09"),
    ("WH-TILBURG", "Distribution centre Tilburg", "Kraaivenstraat 20, Tilburg", "VR20"),
    ("WH-ZWOLLE", "Distribution centre Zwolle", "Marsweg 50, Zwolle", "VR04"),
    ("WH-ROTTERDAM", "Port warehouse Rotterdam", "Waalhaven Z.z. 10, Rotterdam", "VR17"),
]
# Demo sign-ins for a local demo database only; production users are made with `stockpile create-user`.
DEMO_USERS = [
    ("admin@stockpile.example", "demo-admin-password", Role.ADMIN, None),
    ("continuity@stockpile.example", "demo-continuity-password", Role.CONTINUITY, None),
    ("logistics@stockpile.example", "demo-logistics-password", Role.LOGISTICS, None),
    ("region@stockpile.example", "demo-region-password", Role.REGION, "VR09"),
    ("region2@stockpile.example", "demo-region-password", Role.REGION, "VR13"),
]


def _get_or_create(model: Any, code: str, **values: Any) -> tuple[Any, bool]:
    obj = session().scalar(select(model).where(model.code == code))
    if obj is not None:
        return obj, False
    obj = model(code=code, **values)
    session().add(obj)
    return obj, True


def seed_reference() -> int:
    """Create what is missing of the demo catalogue, processes and warehouses; return how many were new."""
    created = 0
    for code, name, category, unit, per_pack, standard, shelf, lead, safety in ITEMS:
        created += _get_or_create(
            Item, code, name=name, category=category, unit_of_issue=unit, units_per_pack=per_pack,
            en_standard=standard, shelf_life_months=shelf, lead_time_days=lead, safety_stock_days=safety,
        )[1]
    for code, name, sector, tier in PROCESSES:
        created += _get_or_create(EssentialProcess, code, name=name, sector=sector, priority_tier=tier)[1]
    regions = {r.code: r for r in session().scalars(select(Region))}
    for code, name, address, region_code in WAREHOUSES:
        created += _get_or_create(Warehouse, code, name=name, address=address, region=regions[region_code])[1]
    session().flush()
    return created


def seed_users() -> int:
    """Create the demo users that do not exist yet."""
    created = 0
    for email, password, role, region in DEMO_USERS:
        if session().scalar(select(User.id).where(User.email == email)) is None:
            auth_services.create_user(email, password, role, region, name=email.split("@")[0].title())
            created += 1
    return created


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Fill an empty database with demo data; running it again adds nothing twice."""
    with transaction():
        created = seed_reference() + seed_users()
        created += seed_demand_history()
    click.echo(f"Demo data ready ({created} records created).")
    click.echo("Demo sign-ins (local demo only):")
    for email, password, role, region in DEMO_USERS:
        click.echo(f"  {role.value:<11} {email:<32} {password}" + (f"  ({region})" if region else ""))
