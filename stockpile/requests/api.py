"""The request workflow as JSON: the same services, rules and errors as the pages."""

from __future__ import annotations

import functools
from typing import Any

from flask.views import MethodView
from sqlalchemy import select

from stockpile.api import api_blueprint, paginated
from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role
from stockpile.requests import queries, schemas, services
from stockpile.requests.models import Allocation, SupplyRequest
from stockpile.requests.validation import DraftData

blp = api_blueprint("request-api", "/requests", "Regional requests and their approval workflow.")
alloc_blp = api_blueprint("allocation-api", "/allocations", "Stock ring-fenced per essential process.")
EVERYONE = tuple(Role)


def draft_data(data: dict[str, Any]) -> DraftData:
    """Validated JSON to the service's draft."""
    return DraftData(
        essential_process_id=data["essential_process_id"], needed_by=data["needed_by"],
        justification=data["justification"], contact=data["contact"],
        lines=[(line["item_id"], line["quantity"]) for line in data["lines"]],
        delivery_warehouse_id=data["delivery_warehouse_id"], delivery_address=data["delivery_address"],
        reask_of_id=data["reask_of_id"],
    )


def _request(request_id: int) -> SupplyRequest:
    return queries.get_request_for(signed_in_user(), request_id)


def visible_first(view: Any) -> Any:
    """Answer 404 for a request the caller may not see before looking at the body, so nothing leaks."""

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _request(kwargs["request_id"])
        return view(*args, **kwargs)

    return checked


@blp.route("")
class Requests(MethodView):
    @roles_required(*EVERYONE)
    @blp.arguments(schemas.RequestFilter, location="query")
    @blp.response(200, schemas.RequestSummaryOut(many=True))
    @blp.paginate()
    def get(self, filters: dict[str, Any], pagination_parameters: Any) -> list[SupplyRequest]:
        """Requests the caller may see (a region: only its own), newest first, with lines; history per request."""
        stmt = queries.visible_requests(signed_in_user())
        if filters.get("state"):
            stmt = stmt.where(SupplyRequest.state == filters["state"])
        return paginated(stmt, pagination_parameters)

    @roles_required(Role.REGION)
    @blp.arguments(schemas.RequestIn)
    @blp.response(201, schemas.RequestOut)
    def post(self, data: dict[str, Any]) -> SupplyRequest:
        """Create a draft for the caller's region; with `"submit": true` also submit it, in one transaction."""
        created = services.create_draft(signed_in_user(), draft_data(data))
        if data["submit"]:
            services.submit(created, signed_in_user())
        return created


@blp.route("/<id:request_id>")
class RequestMember(MethodView):
    @roles_required(*EVERYONE)
    @blp.response(200, schemas.RequestOut)
    def get(self, request_id: int) -> SupplyRequest:
        """One request with its lines and history; another region's request is a 404."""
        return _request(request_id)

    @roles_required(Role.REGION)
    @visible_first
    @blp.arguments(schemas.RequestIn)
    @blp.response(200, schemas.RequestOut)
    def put(self, data: dict[str, Any], request_id: int) -> SupplyRequest:
        """Replace a draft's content; with `"submit": true` also submit it."""
        updated = services.update_draft(_request(request_id), signed_in_user(), draft_data(data))
        if data["submit"]:
            services.submit(updated, signed_in_user())
        return updated


def _action(name: str, roles: tuple[Role, ...], schema: type, doc: str) -> Any:
    """Register POST /requests/<id>/<name> calling the matching workflow step."""

    @roles_required(*roles)
    @visible_first
    @blp.arguments(schema)
    @blp.response(200, schemas.RequestOut)
    def view(data: dict[str, Any], request_id: int) -> SupplyRequest:
        request = _request(request_id)
        step: Any = STEPS[name]
        step(request, data)
        return request

    view.__doc__ = doc
    view.__name__ = f"request_{name}"
    blp.route(f"/<id:request_id>/{name}", methods=["POST"], endpoint=f"request_{name}")(view)
    return view


STEPS = {
    "submit": lambda r, d: services.submit(r, signed_in_user()),
    "approve": lambda r, d: services.approve(
        r, signed_in_user(), {line["id"]: (line["quantity_approved"], line["reason"]) for line in d["lines"]}),
    "reject": lambda r, d: services.reject(r, signed_in_user(), d["reason"], d["for_scarcity"]),
    "cancel": lambda r, d: services.cancel(r, signed_in_user(), d["reason"]),
    "pick": lambda r, d: services.pick(r, signed_in_user()),
    "ship": lambda r, d: services.ship(r, signed_in_user(), d["carrier"], d["reference"]),
    "confirm": lambda r, d: services.confirm_receipt(
        r, signed_in_user(), {line["id"]: (line["quantity_received"], line["note"]) for line in d["lines"]}),
}
_action("submit", (Role.REGION,), schemas.EmptyIn, "Send a draft for review.")
_action("approve", (Role.CONTINUITY,), schemas.ApproveIn, "Approve lines in full or in part; reserves the stock.")
_action("reject", (Role.CONTINUITY,), schemas.RejectIn,
        "Reject a submitted request with a reason, saying whether stock was too short.")
_action("cancel", (Role.REGION, Role.CONTINUITY), schemas.OptionalReasonIn,
        "Cancel: a region before review, the continuity section (with a reason) until picking.")
_action("pick", (Role.LOGISTICS,), schemas.EmptyIn, "Book the reserved lots out as issue movements.")
_action("ship", (Role.LOGISTICS,), schemas.ShipIn, "Record carrier and reference of the shipment.")
_action("confirm", (Role.REGION,), schemas.ConfirmIn, "Confirm receipt line by line.")


@alloc_blp.route("")
class Allocations(MethodView):
    @roles_required(Role.CONTINUITY, Role.ADMIN, Role.LOGISTICS)
    @alloc_blp.response(200, schemas.AllocationOut(many=True))
    @alloc_blp.paginate()
    def get(self, pagination_parameters: Any) -> list[Allocation]:
        """Every allocation with what approvals have drawn from it."""
        return paginated(select(Allocation).order_by(Allocation.item_id, Allocation.essential_process_id),
                         pagination_parameters)

    @roles_required(Role.CONTINUITY)
    @alloc_blp.arguments(schemas.AllocationIn)
    @alloc_blp.response(200, schemas.AllocationOut)
    def post(self, data: dict[str, Any]) -> Allocation:
        """Set the ring-fenced quantity of an item for a process (0 lifts it); the change is kept in history."""
        return services.set_allocation(data["essential_process_id"], data["item_id"], data["quantity"],
                                       data["reason"], signed_in_user())


blueprints = [blp, alloc_blp]
