"""JSON endpoints of insight: the risk per essential process (continuity, admin)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from stockpile.api import api_blueprint
from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role
from stockpile.insight import equity, risk, rotation, schemas

PLANNERS = (Role.CONTINUITY, Role.ADMIN)
STOCK_READERS = (Role.LOGISTICS, Role.CONTINUITY, Role.ADMIN)
MOVERS = (Role.LOGISTICS, Role.ADMIN)

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


@blp.route("/rotation")
class Rotation(MethodView):
    @roles_required(*STOCK_READERS)
    @blp.response(200, schemas.RotationAdviceOut(many=True))
    def get(self) -> Any:
        """Lots that will expire unused where they are, the region that would use them in time, units saved."""
        return rotation.rotation_advice()


@blp.route("/rotation/take")
class TakeRotation(MethodView):
    @roles_required(*MOVERS)
    @blp.arguments(schemas.TakeRotationIn)
    @blp.response(201, schemas.RotationTakenOut)
    @blp.alt_response(409, description="No advice for that lot and warehouse now (taken, or the stock changed).")
    def post(self, data: dict[str, Any]) -> Any:
        """Book the advised transfer as the advice stands now; the advice then disappears."""
        return rotation.take_advice(data["lot_id"], data["from_warehouse_id"], signed_in_user().id)


@blp.route("/equity")
class Equity(MethodView):
    @roles_required(*PLANNERS)
    @blp.arguments(schemas.EquityQuery, location="query")
    @blp.response(200, schemas.EquityRowOut(many=True))
    @blp.alt_response(422, description="`weeks` outside 1 to 52.")
    def get(self, args: dict[str, Any]) -> Any:
        """Per process and region over the weeks: asked, approved, delivered, fill rate, unmet, cuts, days of cover,
        and the fill rate week by week; sorted by `sort` (`order=desc` for the largest first)."""
        return equity.equity(equity.check_weeks(args["weeks"]), sort=args["sort"],
                             descending=args["order"] == "desc")


@blp.route("/equity/requests")
class EquityRequests(MethodView):
    @roles_required(*PLANNERS)
    @blp.arguments(schemas.EquityRequestsQuery, location="query")
    @blp.response(200, schemas.EquityRequestOut(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """The requests behind the figures: submitted in the weeks, for a process and a region if named."""
        return equity.requests_in_window(equity.check_weeks(args["weeks"]), args.get("process_id"),
                                         args.get("region_id"))


blueprints = [blp]
