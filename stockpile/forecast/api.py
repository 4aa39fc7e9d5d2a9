"""JSON endpoints of forecasting: runs, an item's forecast and projection (what-if), flags, expected deliveries."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from stockpile.api import api_blueprint, paginated
from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role
from stockpile.forecast import queries, schemas, services
from stockpile.forecast.models import ScarcityFlag
from stockpile.forecast.outlook import item_outlook, launch_run

PLANNERS = (Role.CONTINUITY, Role.ADMIN)
FLAG_READERS = (Role.CONTINUITY, Role.ADMIN, Role.LOGISTICS)
DELIVERY_KEEPERS = (Role.LOGISTICS, Role.ADMIN)
DELIVERY_READERS = (Role.LOGISTICS, Role.CONTINUITY, Role.ADMIN)
ERRORS = {"description": "The one error shape."}

blp = api_blueprint("forecast_api", "/forecast", "Forecast runs, projections and scarcity flags (continuity, admin).")
deliveries = api_blueprint("deliveries_api", "/deliveries", "Expected deliveries (logistics records them).")


@blp.route("/runs")
class Runs(MethodView):
    @roles_required(*PLANNERS)
    @blp.response(200, schemas.RunOut(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> list[Any]:
        """Runs, newest first."""
        return paginated(queries.runs_query(), pagination_parameters)

    @roles_required(*PLANNERS)
    @blp.response(202, schemas.RunOut)
    @blp.alt_response(409, description="A run is running already.")
    def post(self) -> Any:
        """Start a run now; it executes in the background. Refused with 409 while one runs."""
        return launch_run(signed_in_user().id)


@blp.route("/runs/<id:run_id>")
class RunDetail(MethodView):
    @roles_required(*PLANNERS)
    @blp.response(200, schemas.RunDetailOut)
    def get(self, run_id: int) -> Any:
        """One run with its series: method, backtest MASE beside seasonal naive, or the error."""
        run = queries.get_run(run_id)
        # The raw attributes, not RunOut's dump: RunDetailOut serialises the enums itself.
        fields = {name: getattr(run, name) for name in schemas.RunOut().fields}
        return {**fields, "series": queries.series_of(run.id)}


@blp.route("/items/<id:item_id>/forecast")
class ItemForecast(MethodView):
    @roles_required(*PLANNERS)
    @blp.response(200, schemas.ForecastOut)
    def get(self, item_id: int) -> Any:
        """The item's national daily forecast from the latest succeeded run."""
        outlook = item_outlook(item_id)
        series = outlook.series
        return {"run_id": outlook.run.id if outlook.run else None, "method": series.method if series else None,
                "mase": series.mase if series else None,
                "seasonal_naive_mase": series.seasonal_naive_mase if series else None, "points": outlook.points}


@blp.route("/items/<id:item_id>/projection")
class ItemProjection(MethodView):
    @roles_required(*PLANNERS)
    @blp.arguments(schemas.ProjectionQuery, location="query")
    @blp.response(200, schemas.ProjectionOut)
    @blp.alt_response(422, description="`factor` outside (0, 10].")
    def get(self, args: dict[str, Any], item_id: int) -> Any:
        """Projected stock from the stored forecast, demand scaled by `factor` (no refit)."""
        factor = services.check_factor(args["factor"])
        outlook = item_outlook(item_id, factor)
        projection = outlook.projection
        if projection is None:
            return {"factor": factor, "level": outlook.level, "usable_now": 0, "mean_daily_forecast": 0.0,
                    "stockout_probability": 0.0, "days": [], "central": [], "pessimistic": []}
        return {**vars(projection), "factor": factor, "level": outlook.level}


@blp.route("/flags")
class Flags(MethodView):
    @roles_required(*FLAG_READERS)
    @blp.response(200, schemas.FlagOut(many=True))
    def get(self) -> Any:
        """The flags in force (latest succeeded run), soonest pessimistic stock-out first."""
        return queries.current_flags()


@blp.route("/flags/<id:flag_id>/acknowledge")
class Acknowledge(MethodView):
    @roles_required(*PLANNERS)
    @blp.arguments(schemas.AcknowledgeIn)
    @blp.response(200, schemas.FlagOut)
    def post(self, data: dict[str, Any], flag_id: int) -> ScarcityFlag:
        """Acknowledge a flag with a note (audited)."""
        return services.acknowledge_flag(queries.get_flag(flag_id), data["note"], signed_in_user().id)


@deliveries.route("")
class Deliveries(MethodView):
    @roles_required(*DELIVERY_READERS)
    @deliveries.response(200, schemas.DeliveryOut(many=True))
    @deliveries.paginate()
    def get(self, pagination_parameters: Any) -> list[Any]:
        """Deliveries still expected, by date."""
        return paginated(queries.deliveries_query(), pagination_parameters)

    @roles_required(*DELIVERY_KEEPERS)
    @deliveries.arguments(schemas.DeliveryIn)
    @deliveries.response(201, schemas.DeliveryOut)
    @deliveries.alt_response(422, description="A past date or a quantity below 1, named by field.")
    def post(self, data: dict[str, Any]) -> Any:
        """Record an expected delivery."""
        return services.record_delivery(**data, user_id=signed_in_user().id)


@deliveries.route("/<id:delivery_id>/status")
class DeliveryState(MethodView):
    @roles_required(*DELIVERY_KEEPERS)
    @deliveries.arguments(schemas.DeliveryStatusIn)
    @deliveries.response(200, schemas.DeliveryOut)
    def post(self, data: dict[str, Any], delivery_id: int) -> Any:
        """Mark a delivery received or cancelled."""
        return services.close_delivery(delivery_id, data["status"], signed_in_user().id)



blueprints = [blp, deliveries]
