"""JSON endpoints for regions, essential processes, items and warehouses."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import Schema
from sqlalchemy import select

from stockpile.api import api_blueprint, paginated
from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role
from stockpile.errors import FieldErrors
from stockpile.reference import schemas
from stockpile.reference.models import EssentialProcess, Item, Region, Warehouse
from stockpile.reference.services import create_reference, get_reference, update_reference

READERS = tuple(Role)


def reference_blueprint(
    name: str, path: str, model: Any, schema_in: type[Schema], schema_out: type[Schema], what: str
) -> Blueprint:
    """A blueprint with list, create, read and update for one kind; everyone reads, the admin writes."""
    blp = api_blueprint(name, path, f"{what}: everyone signed in reads, the administrator writes.")

    @blp.route("")
    class Collection(MethodView):
        @roles_required(*READERS)
        @blp.response(200, schema_out(many=True))
        @blp.paginate()
        def get(self, pagination_parameters: Any) -> list[Any]:
            """List, ordered by code."""
            return paginated(select(model).order_by(model.code), pagination_parameters)

        @roles_required(Role.ADMIN)
        @blp.arguments(schema_in)
        @blp.response(201, schema_out)
        def post(self, data: dict[str, Any]) -> Any:
            """Create; a duplicate code is refused with 422 naming `code`."""
            return create_reference(model, data, signed_in_user().id)

    @blp.route("/<id:object_id>")
    class Member(MethodView):
        @roles_required(*READERS)
        @blp.response(200, schema_out)
        def get(self, object_id: int) -> Any:
            """One record."""
            return get_reference(model, object_id)

        @roles_required(Role.ADMIN)
        @blp.arguments(schema_in(partial=True))
        @blp.response(200, schema_out)
        def patch(self, data: dict[str, Any], object_id: int) -> Any:
            """Change fields; set `active` to false to retire a record (nothing is ever deleted)."""
            if not request.get_data(cache=True).strip():
                # The document declares the body required; without this a bodiless PATCH changed nothing and said 200.
                raise FieldErrors.one("body", _("Send the fields to change as a JSON object."))
            return update_reference(get_reference(model, object_id), data, signed_in_user().id)

    return blp


blueprints = [
    reference_blueprint("regions", "/regions", Region, schemas.RegionIn, schemas.RegionOut, "Safety regions"),
    reference_blueprint("essential_processes", "/essential-processes", EssentialProcess,
                        schemas.ProcessIn, schemas.ProcessOut, "Essential processes"),
    reference_blueprint("items", "/items", Item, schemas.ItemIn, schemas.ItemOut, "The PPE catalogue"),
    reference_blueprint("warehouses", "/warehouses", Warehouse,
                        schemas.WarehouseIn, schemas.WarehouseOut, "Warehouses"),
]
