"""JSON endpoints of the inventory: lots, the movement ledger, the stock overview and FEFO picking proposals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.views import MethodView
from flask_babel import gettext as _

from stockpile.api import ErrorSchema, api_blueprint, paginated
from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role
from stockpile.db import session
from stockpile.errors import FieldErrors
from stockpile.inventory import queries, schemas, services
from stockpile.inventory.booking import book_movement
from stockpile.local_days import local_day_range
from stockpile.policy_log import services as policy_log
from stockpile.reference.models import Item

WRITERS = (Role.LOGISTICS, Role.ADMIN)
READERS = (Role.LOGISTICS, Role.CONTINUITY, Role.ADMIN)

lots = api_blueprint("lots", "/lots", "Lots and their balances: logistics, continuity and admin read, "
                                      "logistics and admin change the quality status.")
movements = api_blueprint("movements", "/movements", "The stock-movement ledger: append-only; a mistake is "
                                                     "undone by a reversal.")
stock = api_blueprint("stock", "/stock", "Stock overview per item and FEFO picking proposals.")


def refusals(blp: Any, *statuses: int) -> Callable[[Any], Any]:
    """Document the error answers an endpoint can give, all in the one error shape."""
    descriptions = {
        404: "No such object.", 409: "Refused by the current stock or state; the message has the numbers.",
        422: "Invalid input; `errors` names each field.",
    }

    def decorate(view: Any) -> Any:
        for status in statuses:
            view = blp.alt_response(status, schema=ErrorSchema, description=descriptions[status])(view)
        return view

    return decorate


@lots.route("")
class LotCollection(MethodView):
    @roles_required(*READERS)
    @lots.arguments(schemas.LotQuery, location="query")
    @lots.response(200, schemas.LotOut(many=True))
    @refusals(lots, 422)
    @lots.paginate()
    def get(self, filters: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """Lots, earliest expiry first; filter by item, warehouse (lots held there) or quality status."""
        return paginated(queries.lots_query(**filters), pagination_parameters)


@lots.route("/<id:lot_id>")
class LotMember(MethodView):
    @roles_required(*READERS)
    @lots.response(200, schemas.LotDetailOut)
    @refusals(lots, 404)
    def get(self, lot_id: int) -> dict[str, Any]:
        """One lot with what each warehouse holds of it."""
        return lot_with_balances(lot_id)


@lots.route("/<id:lot_id>/status")
class LotStatus(MethodView):
    @roles_required(*WRITERS)
    @lots.arguments(schemas.LotStatusIn)
    @lots.response(200, schemas.LotDetailOut)
    @refusals(lots, 404, 409, 422)
    def post(self, data: dict[str, Any], lot_id: int) -> dict[str, Any]:
        """Change a lot's quality status; a move the state machine does not allow answers 409."""
        services.change_lot_status(lot_id=lot_id, status=data["status"], reason=data["reason"],
                                   user_id=signed_in_user().id)
        return lot_with_balances(lot_id)


def lot_with_balances(lot_id: int) -> dict[str, Any]:
    """A lot's fields and its balance rows, for LotDetailOut."""
    lot = services.get_lot(lot_id)
    columns = {name: getattr(lot, name) for name in schemas.LotOut().fields if name != "item_code"}
    return {**columns, "item": lot.item, "balances": queries.balances_for(item_id=lot.item_id, lot_id=lot.id)}


@movements.route("")
class MovementCollection(MethodView):
    @roles_required(*READERS)
    @movements.arguments(schemas.MovementQuery, location="query")
    @movements.response(200, schemas.MovementOut(many=True))
    @refusals(movements, 422)
    @movements.paginate()
    def get(self, filters: dict[str, Any], pagination_parameters: Any) -> list[Any]:
        """The ledger, newest first; filter by lot, item, warehouse, type and Amsterdam days."""
        since, until = local_day_range(filters.pop("since", None), filters.pop("until", None))
        kind = filters.pop("type", None)
        stmt = queries.movements_query(**filters, kind=kind.value if kind else None, since=since, until=until)
        return paginated(stmt, pagination_parameters)

    @roles_required(*WRITERS)
    @movements.arguments(schemas.MovementIn)
    @movements.response(201, schemas.MovementOut)
    @refusals(movements, 404, 409, 422)
    def post(self, data: dict[str, Any]) -> Any:
        """Book one movement; a repeated `idempotency_key` returns the first booking instead of booking again."""
        return book_movement(data, signed_in_user().id)


@movements.route("/<id:movement_id>")
class MovementMember(MethodView):
    @roles_required(*READERS)
    @movements.response(200, schemas.MovementOut)
    @refusals(movements, 404)
    def get(self, movement_id: int) -> Any:
        """One movement."""
        return services.get_movement(movement_id)


@movements.route("/<id:movement_id>/reverse")
class MovementReversal(MethodView):
    @roles_required(*WRITERS)
    @movements.arguments(schemas.ReverseIn)
    @movements.response(201, schemas.MovementOut)
    @refusals(movements, 404, 409, 422)
    def post(self, data: dict[str, Any], movement_id: int) -> Any:
        """Undo a movement with a new one pointing to it; a reversal itself cannot be reversed."""
        return services.reverse(movement_id=movement_id, user_id=signed_in_user().id, **data)


@stock.route("")
class StockOverview(MethodView):
    @roles_required(*READERS)
    @stock.response(200, schemas.ItemStockOut(many=True))
    @stock.paginate()
    def get(self, pagination_parameters: Any) -> list[Any]:
        """National stock per item, from the balances."""
        rows = queries.stock_by_item()
        pagination_parameters.item_count = len(rows)
        first = (pagination_parameters.page - 1) * pagination_parameters.page_size
        return rows[first:first + pagination_parameters.page_size]


@stock.route("/picking-proposal")
class PickingProposal(MethodView):
    @roles_required(*READERS)
    @stock.arguments(schemas.PickingQuery, location="query")
    @stock.response(200, schemas.PickProposalOut)
    @refusals(stock, 422)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """First expired, first out: which lots to take from where, and the shortfall."""
        if session().get(Item, args["item_id"]) is None:
            raise FieldErrors.one("item_id", _("Unknown item."))
        days = policy_log.min_shelf_life_days()
        proposal = queries.propose_picks(args["item_id"], args["quantity"], args.get("warehouse_id"),
                                         min_shelf_life_days=days)
        return {"item_id": proposal.item_id, "requested": proposal.requested, "covered": proposal.covered,
                "shortfall": proposal.shortfall, "min_shelf_life_days": days, "lines": proposal.lines}


blueprints = [lots, movements, stock]
