"""JSON endpoints of insight: the risk per essential process (continuity, admin)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from stockpile.api import api_blueprint
from stockpile.auth.guard import roles_required
from stockpile.auth.models import Role
from stockpile.insight import risk, schemas

PLANNERS = (Role.CONTINUITY, Role.ADMIN)

blp = api_blueprint("insight_api", "/insight", "Stock-out risk per essential process, rotation advice and the "
                                               "equity view (continuity, admin).")


@blp.route("/process-risk")
class ProcessRisk(MethodView):
    @roles_required(*PLANNERS)
    @blp.arguments(schemas.RiskQuery, location="query")
    @blp.response(200, schemas.RiskGridOut)
    @blp.alt_response(422, description="`date` before today or past the forecast horizon.")
    def get(self, args: dict[str, Any]) -> Any:
        """P(stock-out before a date) per essential process and item: tier 1 draws first, allocations hold."""
        date = risk.check_date(args.get("date") or risk.default_date(),
                               horizon_days=int(current_app.config["FORECAST_HORIZON_DAYS"]))
        grid = risk.risk_grid(date)
        return {"date": grid.date, "cells": grid.cells}


blueprints = [blp]
