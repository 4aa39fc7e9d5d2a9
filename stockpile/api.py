"""The JSON API under /api/v1: flask-smorest set-up, the error schema and pagination of queries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from apispec.ext.marshmallow import MarshmallowPlugin, resolver
from flask import Flask
from flask_babel import gettext as _
from flask_smorest import Api as SmorestApi
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate
from sqlalchemy import Select, func, select
from werkzeug.routing import IntegerConverter

from stockpile.db import session

# Database ids are 32-bit integers; a larger number can only be a wrong id, never a row.
MAX_ID = 2**31 - 1


def id_field(**kwargs: Any) -> fields.Integer:
    """An id in a request: a whole number the database can hold."""
    return fields.Integer(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class BoundedList(fields.List[Any]):
    """A list refused by its length before any element is read, so 50,000 lines cost no more than 101.

    marshmallow deserialises every element before it runs a Length validator; this checks the count first. The
    Length validator stays for the OpenAPI document (maxItems).
    """

    def __init__(self, inner: Any, max_items: int, min_items: int = 1, **kwargs: Any) -> None:
        super().__init__(inner, validate=validate.Length(min=min_items, max=max_items), **kwargs)
        self.max_items = max_items

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> list[Any]:
        if isinstance(value, list) and len(value) > self.max_items:
            raise ValidationError(_("At most %(max)d lines are accepted; this has %(count)d.",
                                    max=self.max_items, count=len(value)))
        return list(super()._deserialize(value, attr, data, **kwargs))


class IdConverter(IntegerConverter):
    """`<id:name>` in a URL: a positive id that fits the database; anything else is a plain 404."""

    def __init__(self, url_map: Any) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


class ErrorSchema(Schema):
    """The one shape of every API error."""

    code = fields.String(required=True, metadata={"description": "Machine-readable error kind."})
    status = fields.Integer(required=True, metadata={"description": "The HTTP status."})
    message = fields.String(required=True, metadata={"description": "What went wrong, for a person."})
    errors = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()), required=True,
        metadata={"description": "Messages per field name."},
    )


class Api(SmorestApi):  # type: ignore[misc]
    """flask-smorest's Api, with errors left to Stockpile's one handler (stockpile.errors)."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        """Stockpile's own handler already answers every error on /api/ with this schema."""


def schema_name(schema: Any) -> str:
    """OpenAPI component names: the class name, with 'Patch' for partial (PATCH) input schemas."""
    name = resolver(schema)
    partial = getattr(schema, "partial", False) if isinstance(schema, Schema) else False
    return f"{name}Patch" if partial else name


api = Api(spec_kwargs={"marshmallow_plugin": MarshmallowPlugin(schema_name_resolver=schema_name)})


# The X-Pagination header as it is sent: a string holding a JSON object (flask-smorest declares it an object).
PAGINATION_HEADER_DOC = {
    "description": "Pagination metadata: a JSON object as a string, with total, total_pages, first_page, "
                   "last_page, page and, where they exist, previous_page and next_page (whole numbers).",
    "schema": {"type": "string", "example": '{"total": 120, "total_pages": 3, "first_page": 1, '
                                             '"last_page": 3, "page": 1, "next_page": 2}'},
}


class ApiBlueprint(Blueprint):  # type: ignore[misc]
    """A blueprint of the JSON API: pages of 50 by default, at most 500."""

    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": 50, "max_page_size": 500}

    def _document_pagination_metadata(self, spec: Any, resp_doc: dict[str, Any]) -> None:
        """Describe X-Pagination as it is sent, a JSON string, not as the object flask-smorest declares."""
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = PAGINATION_HEADER_DOC


def api_blueprint(name: str, url_prefix: str, description: str) -> ApiBlueprint:
    """A blueprint of the JSON API under /api/v1."""
    return ApiBlueprint(name, __name__, url_prefix=f"/api/v1{url_prefix}", description=description)


def paginated(stmt: Select[Any], pagination_parameters: Any) -> list[Any]:
    """One page of a query's rows; tells the pager the total so it can set X-Pagination."""
    total = session().scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    pagination_parameters.item_count = total or 0
    page, size = pagination_parameters.page, pagination_parameters.page_size
    if (page - 1) * size > MAX_ID:
        return []  # far past the last page: nothing there, and no number too large for the database
    return list(session().scalars(stmt.limit(size).offset((page - 1) * size)))


def init_app(app: Flask, blueprints: Sequence[Blueprint]) -> None:
    """Set up the API and register the domains' API blueprints (create_app names them; this module knows none)."""
    app.url_map.converters["id"] = IdConverter
    api.init_app(app)
    api.register_converter(IdConverter, lambda _converter: {"type": "integer", "minimum": 1, "maximum": MAX_ID})
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
