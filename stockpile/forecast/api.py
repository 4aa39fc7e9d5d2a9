"""JSON endpoints of forecasting: runs, an item's forecast and projection (what-if), flags, expected deliveries."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from stockpile.api import api_blueprint, paginated
from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role
from stockpile.forecast import flag_history, queries, runs, schemas, services
from stockpile.forecast.models import RunTrigger
from stockpile.forecast.outlook import item_outlook, outlooks
from stockpile.forecast.presenting import outlook_fields, projection_fields

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
        """Runs, newest first, with their progress."""
        return paginated(queries.runs_query(), pagination_parameters)

    @roles_required(*PLANNERS)
    @blp.response(202, schemas.RunOut)
    @blp.alt_response(409, description="A run is queued or running already.")
    def post(self) -> Any:
        """Queue a run; the scheduler process executes it. Refused with 409 while one is queued or running."""
        return runs.queue_run(RunTrigger.MANUAL, signed_in_user().id)


@blp.route("/runs/<id:run_id>")
class RunDetail(MethodView):
    @roles_required(*PLANNERS)
    @blp.response(200, schemas.RunDetailOut)
    def get(self, run_id: int) -> Any:
        """One run with its progress and its series: method, backtest MASE beside seasonal naive, or the error."""
        run = queries.get_run(run_id)
        # The raw attributes, not RunOut's dump: RunDetailOut serialises the enums itself.
        fields = {name: getattr(run, name) for name in schemas.RunOut().fields}
        return {**fields, "series": queries.series_of(run.id)}


@blp.route("/runs/<id:run_id>/cancel")
class RunCancel(MethodView):
    @roles_required(*PLANNERS)
    @blp.response(200, schemas.RunOut)
    @blp.alt_response(409, description="The run has finished already.")
    def post(self, run_id: int) -> Any:
        """Cancel a queued run at once, or ask a running one to stop; either way the previous forecast stays."""
        return runs.request_cancel(run_id, signed_in_user().id)


@blp.route("/runs/<id:run_id>/log")
class RunLog(MethodView):
    @roles_required(*PLANNERS)
    @blp.response(200, schemas.RunLogLineOut(many=True))
    def get(self, run_id: int) -> Any:
        """A run's log, oldest line first."""
        return queries.log_of(queries.get_run(run_id).id)


@blp.route("/items/<id:item_id>/forecast")
class ItemForecast(MethodView):
    @roles_required(*PLANNERS)
    @blp.response(200, schemas.ForecastOut)
    def get(self, item_id: int) -> Any:
        """The item's national daily forecast in force (from the newest succeeded run in which it fitted)."""
        forecast = item_outlook(item_id).forecast
        series = queries.get_series(forecast.series_id) if forecast else None
        points = queries.forecast_points(series.id) if series else []
        return {"run_id": forecast.run_id if forecast else None, "method": series.method if series else None,
                "mase": series.mase if series else None,
                "seasonal_naive_mase": series.seasonal_naive_mase if series else None, "points": points}


@blp.route("/items/<id:item_id>/projection")
class ItemProjection(MethodView):
    @roles_required(*PLANNERS)
    @blp.arguments(schemas.ProjectionQuery, location="query")
    @blp.response(200, schemas.ProjectionOut)
    @blp.alt_response(422, description="`factor` outside (0, 10].")
    def get(self, args: dict[str, Any], item_id: int) -> Any:
        """The item's outlook with its projection by day, demand scaled by `factor` (no refit)."""
        factor = services.check_factor(args["factor"])
        return projection_fields(item_outlook(item_id, factor))


@blp.route("/items/<id:item_id>/acknowledgement")
class ItemAcknowledgement(MethodView):
    @roles_required(*PLANNERS)
    @blp.arguments(schemas.AcknowledgeIn)
    @blp.response(200, schemas.FlagOut)
    @blp.alt_response(409, description="The item has no flag to acknowledge.")
    def post(self, data: dict[str, Any], item_id: int) -> Any:
        """Acknowledge the item's flag with a note (audited); it holds until the flag worsens or is withdrawn."""
        flag_history.acknowledge(item_outlook(item_id), data["note"], signed_in_user().id)
        return outlook_fields(item_outlook(item_id))

    @roles_required(*PLANNERS)
    @blp.response(200, schemas.FlagOut)
    @blp.alt_response(409, description="The item has no acknowledgement to withdraw.")
    def delete(self, item_id: int) -> Any:
        """Withdraw the item's acknowledgement (audited)."""
        flag_history.withdraw(item_outlook(item_id), signed_in_user().id)
        return outlook_fields(item_outlook(item_id))


@blp.route("/items/<id:item_id>/flag-history")
class ItemFlagHistory(MethodView):
    @roles_required(*FLAG_READERS)
    @blp.response(200, schemas.FlagEventOut(many=True))
    def get(self, item_id: int) -> Any:
        """The item's flag history, newest first: changes of level, acknowledgements and how they ended."""
        return queries.flag_history(item_outlook(item_id).item.id)


@blp.route("/flags")
class Flags(MethodView):
    @roles_required(*FLAG_READERS)
    @blp.response(200, schemas.FlagOut(many=True))
    def get(self) -> Any:
        """Every active item's outlook and flag as of now, most urgent first."""
        return [outlook_fields(outlook) for outlook in outlooks()]


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
