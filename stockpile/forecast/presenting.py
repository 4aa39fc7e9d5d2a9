"""An outlook as the API gives it: one flat mapping, the same figures the pages show."""

from __future__ import annotations

from typing import Any

from stockpile.forecast.flags import explain
from stockpile.forecast.outlook import ItemOutlook


def outlook_fields(outlook: ItemOutlook) -> dict[str, Any]:
    """The fields of FlagOut from an outlook."""
    p = outlook.projection
    return {
        "item_id": outlook.item.id, "item_code": outlook.item.code, "level": outlook.level,
        "usable": outlook.usable, "reserved": outlook.reserved, "committed": outlook.committed,
        "pending": outlook.pending, "mean_daily_forecast": p.mean_daily_forecast if p else 0.0,
        "days_of_supply": p.days_of_supply if p else None,
        "stockout_central": p.stockout_central if p else None,
        "stockout_pessimistic": p.stockout_pessimistic if p else None,
        "below_safety": p.below_safety if p else None,
        "probability_lead": outlook.probability_lead, "probability_lead_safety": outlook.probability_total,
        "lead_time_days": outlook.lead_time_days, "safety_stock_days": outlook.safety_stock_days,
        "projected_waste": outlook.projected_waste,
        "forecast_run_id": outlook.forecast.run_id if outlook.forecast else None, "stale": outlook.stale,
        "acknowledgement": outlook.acknowledgement, "last_change": outlook.last_change,
        "sentence": explain(outlook.item.code, outlook.level, p, outlook.lead_time_days, outlook.safety_stock_days),
    }


def projection_fields(outlook: ItemOutlook) -> dict[str, Any]:
    """The fields of ProjectionOut: the outlook's and its projection by day."""
    p = outlook.projection
    return {
        **outlook_fields(outlook), "factor": outlook.factor,
        "days": p.days if p else [], "central": p.central if p else [], "pessimistic": p.pessimistic if p else [],
        "probability": p.probability if p else [],
        "waste_by_lot": [{"lot_id": lot_id, "units": units} for lot_id, units in (p.waste.items() if p else [])
                         if lot_id is not None],
    }
