"""Domain errors and the one handler that turns any error into JSON for /api/, a page elsewhere, a CLI message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.exc import DBAPIError, DisconnectionError
from werkzeug.exceptions import HTTPException, InternalServerError

from stockpile import library_messages
from stockpile.db import exception_escaped

FieldMessages = dict[str, list[str]]
E = TypeVar("E", bound=BaseException)


class DomainError(Exception):
    """A refusal the user can act on; its message is already translated."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, errors: FieldMessages | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class FieldErrors(DomainError):
    """Input that fails validation, field by field."""

    status = 422
    code = "invalid_input"

    def __init__(self, errors: FieldMessages, message: str | None = None) -> None:
        super().__init__(message or _("Some fields are not valid."), errors)

    @classmethod
    def one(cls, field: str, message: str) -> FieldErrors:
        """A single field's error; its message is also the error's message."""
        return cls({field: [message]}, message)


class NotFound(DomainError):
    """An object that does not exist or that the user may not see."""

    status = 404
    code = "not_found"


class Forbidden(DomainError):
    """An action the user's role does not allow."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """An action the current state refuses: short stock, a duplicate, a stale write."""

    status = 409
    code = "conflict"


class InvalidTransition(Conflict):
    """A state change that the state machine does not allow from the current state."""

    code = "invalid_transition"


def fail_on_domain_error(error: DomainError) -> click.ClickException:
    """A service's refusal as a clean command-line error, its field messages included."""
    details = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.errors.items())
    return click.ClickException(f"{error.message} {details}".strip())


def wants_json() -> bool:
    """True for API calls: they get JSON errors, everything else gets a page."""
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, errors: Any = None) -> Response:
    """The one error shape: {code, status, message, errors}."""
    if wants_json():
        body: dict[str, Any] = {"code": code, "status": status, "message": message}
        body["errors"] = errors or {}
        response = jsonify(body)
    else:
        html = render_template("error.html", status=status, message=message, errors=errors or {})
        response = Response(html, mimetype="text/html")
    response.status_code = status
    return response


def handle_domain_error(error: DomainError) -> Response:
    """Render a refusal from a service."""
    return error_response(error.status, error.code, error.message, error.errors)


def handle_http_exception(error: HTTPException) -> Response:
    """Render Werkzeug's errors, including webargs' 422 with its field messages."""
    # A commit that fails after the view (in after_request) reaches Flask as a 500 wrapping the original error.
    original = getattr(error, "original_exception", None)
    if isinstance(error, InternalServerError) and original is not None:
        unavailable = database_unavailable(original)
        if unavailable is not None:
            return unavailable
    data = getattr(error, "data", None) or {}
    errors = _flatten_locations(data.get("messages", {}))
    code = "invalid_input" if errors else (error.name or "error").lower().replace(" ", "_")
    message = _("Some fields are not valid.") if errors else library_messages.http_description(
        error.code or 500, error.description, type(error).description)
    response = error_response(error.code or 500, code, str(message), errors)
    for name, value in (data.get("headers") or {}).items():
        response.headers[name] = value
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        response.headers["Allow"] = ", ".join(error.valid_methods)
    return response


def handle_unexpected(error: Exception) -> Response:
    """A bug: log it and answer 500 without leaking internals; a database that cannot write is a 503."""
    unavailable = database_unavailable(error)
    if unavailable is not None:
        return unavailable
    current_app.logger.exception("unhandled error", exc_info=error)
    return handle_http_exception(InternalServerError(_("Something went wrong on our side.")))


# SQLSTATEs of a database that answers but refuses to write: read-only, and out of disk or memory.
READ_ONLY_STATES = {"25006"}
NO_SPACE_STATES = {"53100", "53200"}


def database_unavailable(error: BaseException) -> Response | None:
    """A 503 for a database that is down, restarting, read-only or full; None for any other error.

    A lost connection surfaces as OperationalError or InterfaceError (both DBAPIError) or DisconnectionError; a
    read-only PostgreSQL as InternalError with SQLSTATE 25006; SQLite says "readonly" or "disk is full" in an
    OperationalError. None of these is a bug, and the client can retry (with the same idempotency key).
    """
    if not isinstance(error, DBAPIError | DisconnectionError):
        return None
    state = getattr(getattr(error, "orig", None), "sqlstate", None)
    text = str(getattr(error, "orig", error)).lower()
    if state in READ_ONLY_STATES or "readonly database" in text:
        code, message = "database_read_only", _("The database is read-only at the moment, so nothing can be "
                                                "saved; reading still works. Try again later.")
    elif "database is locked" in text:
        code, message = "database_busy", _("The database is busy with other changes. Try again in a moment; a "
                                           "booking retried with the same idempotency key is booked once.")
    elif state in NO_SPACE_STATES or "disk is full" in text:
        code, message = "database_full", _("The database has run out of space, so nothing can be saved; reading "
                                           "still works. Try again later.")
    elif isinstance(error, DisconnectionError | sqlalchemy_exc.OperationalError | sqlalchemy_exc.InterfaceError) or (
            error.connection_invalidated):
        code, message = "database_unavailable", _("The database is unavailable at the moment. Try again shortly; "
                                                  "a booking retried with the same idempotency key is booked once.")
    else:
        return None
    current_app.logger.warning("database unavailable (%s): %s", code, text.splitlines()[0] if text else "")
    # The signed-in user cannot be read now; the error page must not try (it would fail again).
    g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
    response = error_response(503, code, message)
    response.headers["Retry-After"] = "5"
    return response


def _flatten_locations(messages: Any) -> FieldMessages:
    """webargs nests errors by location ({"json": {"field": [...]}}); clients want fields at the top."""
    if not isinstance(messages, dict):
        return {}
    flat: FieldMessages = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            for field, msgs in fields.items():
                flat[str(field)] = _as_list(msgs)
        else:
            flat[str(location)] = _as_list(fields)
    return flat


def _as_list(messages: Any) -> list[str]:
    """A field's messages as a list of texts in the request's language (marshmallow writes them in English)."""
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [library_messages.translate_library_text(m) for m in messages]
    if isinstance(messages, str):
        return [library_messages.translate_library_text(messages)]
    return [str(messages)] if not isinstance(messages, dict) else [_nested_summary(messages)]


def _nested_summary(messages: dict[Any, Any]) -> str:
    """Nested errors (lists of objects) as one readable line: 'lines.0.quantity: Must be at least 1.'."""
    parts = []
    for key, value in messages.items():
        inner = _nested_summary(value) if isinstance(value, dict) else "; ".join(_as_list(value))
        parts.append(f"{key}: {inner}")
    return "; ".join(parts)


def _rolled_back(handler: Callable[[E], Response]) -> Callable[[E], Response]:
    """The handler, after telling the request boundary that an exception escaped (so nothing is committed)."""

    def handle(error: E) -> Response:
        exception_escaped()
        return handler(error)

    return handle


def init_app(app: Flask) -> None:
    """Register the one error handler for every kind of error; any of them makes the request roll back."""
    app.register_error_handler(DomainError, _rolled_back(handle_domain_error))
    app.register_error_handler(HTTPException, _rolled_back(handle_http_exception))
    app.register_error_handler(Exception, _rolled_back(handle_unexpected))
