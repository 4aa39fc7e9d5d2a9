"""The policy log as JSON: the settings in force, every change, setting the phase and shelf life, decisions."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from stockpile.api import api_blueprint, paginated
from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role
from stockpile.policy_log import queries, schemas, services
from stockpile.policy_log.models import PolicyVersion

blp = api_blueprint("policy-api", "/policy", "The versioned rationing policy and the decisions made under it.")
READERS = (Role.CONTINUITY, Role.ADMIN)
DECISIONS_LIMIT = 500


@blp.route("")
class Policy(MethodView):
    @roles_required(*READERS)
    @blp.response(200, schemas.PolicyOut)
    def get(self) -> dict[str, Any]:
        """The policy version, crisis phase and minimum shelf life in force now."""
        return _in_force()


def _in_force() -> dict[str, Any]:
    return {"version": services.current_version_id(), "phase": services.current_phase(),
            "min_shelf_life_days": services.min_shelf_life_days()}


@blp.route("/versions")
class Versions(MethodView):
    @roles_required(*READERS)
    @blp.response(200, schemas.PolicyVersionOut(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> list[PolicyVersion]:
        """Every change of policy, newest first: who, when, why, the phase, old and new value."""
        return paginated(queries.changes(), pagination_parameters)


@blp.route("/phase", methods=["POST"])
@roles_required(*services.POLICY_SETTERS)
@blp.arguments(schemas.PhaseIn)
@blp.response(200, schemas.PolicyOut)
def set_phase(data: dict[str, Any]) -> dict[str, Any]:
    """Declare a new crisis phase, with a reason; a new policy version."""
    services.set_phase(signed_in_user(), data["phase"].value, data["reason"])
    return _in_force()


@blp.route("/min-shelf-life", methods=["POST"])
@roles_required(*services.POLICY_SETTERS)
@blp.arguments(schemas.ShelfLifeIn)
@blp.response(200, schemas.PolicyOut)
def set_min_shelf_life(data: dict[str, Any]) -> dict[str, Any]:
    """Set the days of shelf life a lot must have left to be reserved or picked, with a reason."""
    services.set_min_shelf_life(signed_in_user(), data["days"], data["reason"])
    return _in_force()


@blp.route("/decisions")
@roles_required(*READERS)
@blp.arguments(schemas.DecisionFilterIn, location="query")
@blp.response(200, schemas.DecisionOut(many=True))
def decisions(args: dict[str, Any]) -> list[queries.Decision]:
    """Decided request lines (newest 500) with the rules in force when they were decided, and who set them."""
    filters = queries.DecisionFilter(region_id=args["region_id"], item_id=args["item_id"], day=args["day"])
    return list(queries.decisions(filters, limit=DECISIONS_LIMIT))


blueprints = [blp]
