"""One entry for booking any kind of movement from validated input (the API, the pages and the CSV import)."""

from __future__ import annotations

from typing import Any

from stockpile.inventory import services
from stockpile.inventory.models import MovementType, QualityStatus, StockMovement


def book_movement(data: dict[str, Any], user_id: int | None) -> StockMovement:
    """Book the movement that `data` describes (shaped like schemas.MovementIn) through its service."""
    kind = MovementType(data["type"])
    common = {
        "quantity": data["quantity"], "reason": data["reason"], "user_id": user_id,
        "reference": data.get("reference") or "", "idempotency_key": data.get("idempotency_key") or None,
    }
    if kind is MovementType.RECEIPT:
        return _receive(data, common)
    if kind is MovementType.TRANSFER:
        return services.transfer(lot_id=data["lot_id"], warehouse_id=data["warehouse_id"],
                                 to_warehouse_id=data["to_warehouse_id"], **common)
    if kind is MovementType.ISSUE:
        return services.issue(lot_id=data["lot_id"], warehouse_id=data["warehouse_id"], **common)
    if kind is MovementType.ADJUSTMENT:
        return services.adjust(lot_id=data["lot_id"], warehouse_id=data["warehouse_id"],
                               increase=data["direction"] == "increase", **common)
    return services.write_off(lot_id=data["lot_id"], warehouse_id=data["warehouse_id"], **common)


def _receive(data: dict[str, Any], common: dict[str, Any]) -> StockMovement:
    """A receipt into a lot named by id, or into the lot its item, supplier and number name (new or known)."""
    if data.get("lot_id") is not None:
        lot = services.get_lot(data["lot_id"])
        return services.receive(item_id=lot.item_id, lot_number=lot.lot_number, supplier=lot.supplier,
                                expiry_date=lot.expiry_date, warehouse_id=data["warehouse_id"], **common)
    return services.receive(
        item_id=data["item_id"], lot_number=data["lot_number"], supplier=data["supplier"],
        expiry_date=data["expiry_date"], manufacture_date=data.get("manufacture_date"),
        quality_status=QualityStatus(data.get("quality_status") or QualityStatus.QUARANTINE),
        warehouse_id=data["warehouse_id"], **common,
    )
