"""Every table of Stockpile, imported in one place so Alembic and tests see the whole schema."""

from stockpile.alerts.models import AlertPreference, Notification, OutboxMail
from stockpile.audit import AuditEvent
from stockpile.auth.models import ApiToken, User
from stockpile.db import Base
from stockpile.forecast.models import (
    Acknowledgement,
    ExpectedDelivery,
    FlagEvent,
    FlagState,
    ForecastPoint,
    ForecastRun,
    ForecastSelection,
    ForecastSeries,
    RunLogLine,
)
from stockpile.insight.models import RotationTransfer
from stockpile.inventory.models import (
    ImportedRow,
    Lot,
    LotStatusEvent,
    ReceiptImport,
    StockBalance,
    StockMovement,
)
from stockpile.ops.leases import Lease
from stockpile.policy_log.models import PolicyVersion
from stockpile.reference.models import EssentialProcess, Item, Region, Warehouse
from stockpile.requests.models import (
    Allocation,
    AllocationChange,
    LineReservation,
    RequestLine,
    RequestTransition,
    SupplyRequest,
)

metadata = Base.metadata

__all__ = [
    "Acknowledgement",
    "AlertPreference",
    "Allocation",
    "AllocationChange",
    "ApiToken",
    "AuditEvent",
    "EssentialProcess",
    "ExpectedDelivery",
    "FlagEvent",
    "FlagState",
    "ForecastPoint",
    "ForecastRun",
    "ForecastSelection",
    "ForecastSeries",
    "ImportedRow",
    "Item",
    "Lease",
    "LineReservation",
    "Lot",
    "LotStatusEvent",
    "Notification",
    "OutboxMail",
    "PolicyVersion",
    "ReceiptImport",
    "Region",
    "RequestLine",
    "RequestTransition",
    "RotationTransfer",
    "RunLogLine",
    "StockBalance",
    "StockMovement",
    "SupplyRequest",
    "User",
    "Warehouse",
    "metadata",
]
