"""seed safety regions

Revision ID: b2e5b3f97f70
Revises: 5ea967cca077
Create Date: 2026-11-29 01:46:44.378665
"""
from alembic import op
import sqlalchemy as sa

import stockpile.db


revision = 'b2e5b3f97f70'
down_revision = '5ea967cca077'
branch_labels = None
depends_on = None


REGIONS = [
    ("VR01", "Groningen"), ("VR02", "Fryslân"), ("VR03", "Drenthe"), ("VR04", "IJsselland"), ("VR05", "Twente"),
    ("VR06", "Noord- en Oost-Gelderland"), ("VR07", "Gelderland-Midden"), ("VR08", "Gelderland-Zuid"),
    ("VR09", "Utrecht"), ("VR10", "Noord-Holland-Noord"), ("VR11", "Zaanstreek-Waterland"),
    ("VR12", "Kennemerland"), ("VR13", "Amsterdam-Amstelland"), ("VR14", "Gooi en Vechtstreek"),
    ("VR15", "Haaglanden"), ("VR16", "Hollands Midden"), ("VR17", "Rotterdam-Rijnmond"),
    ("VR18", "Zuid-Holland-Zuid"), ("VR19", "Zeeland"), ("VR20", "Midden- en West-Brabant"),
    ("VR21", "Brabant-Noord"), ("VR22", "Brabant-Zuidoost"), ("VR23", "Limburg-Noord"), ("VR24", "Zuid-Limburg"),
    ("VR25", "Flevoland"),
]
# A frozen copy of the table as this revision knows it, so later model changes cannot break this migration.
regions = sa.table(
    "regions", sa.column("id", sa.Integer), sa.column("code", sa.String), sa.column("name", sa.String),
    sa.column("active", sa.Boolean)
)
users = sa.table("users", sa.column("region_id", sa.Integer))
warehouses = sa.table("warehouses", sa.column("region_id", sa.Integer))


def upgrade() -> None:
    op.bulk_insert(regions, [{"code": code, "name": name, "active": True} for code, name in REGIONS])


def downgrade() -> None:
    # Regions that users or warehouses still name stay: deleting them would break those rows' foreign keys
    # (PostgreSQL refused, halfway down a seeded database). Their tables go one step further down.
    in_use = sa.union(sa.select(users.c.region_id).where(users.c.region_id.is_not(None)),
                      sa.select(warehouses.c.region_id).where(warehouses.c.region_id.is_not(None)))
    op.execute(regions.delete().where(regions.c.code.in_([code for code, _name in REGIONS]),
                                      regions.c.id.not_in(in_use)))
