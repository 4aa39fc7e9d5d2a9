"""Every table of Stockpile, imported in one place so Alembic and tests see the whole schema."""

from stockpile.audit import AuditEvent
from stockpile.auth.models import ApiToken, User
from stockpile.db import Base
from stockpile.inventory.models import Lot, LotStatusEvent, StockBalance, StockMovement
from stockpile.reference.models import EssentialProcess, Item, Region, Warehouse

metadata = Base.metadata

__all__ = [
    "ApiToken", "AuditEvent", "EssentialProcess", "Item", "Lot", "LotStatusEvent", "Region", "StockBalance",
    "StockMovement", "User", "Warehouse", "metadata",
]
