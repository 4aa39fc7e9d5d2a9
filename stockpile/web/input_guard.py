"""Limits on what a request may carry, checked before any view and before any body is parsed.

Two hooks, registered around the sign-in check (stockpile.auth.guard) so that an anonymous caller never makes the
service read a body:

- `refuse_oversized` runs first and reads nothing: a declared length over `MAX_CONTENT_LENGTH` (or, for JSON, over
  `MAX_JSON_BYTES`) is a 413 at once. A body sent without a length is cut off by Werkzeug at the same limit.
- `check_body` runs after the sign-in check: JSON nested deeper than `MAX_JSON_DEPTH` is a 400 before any parser
  recurses into it (Python's would overflow its stack: a 500), and text no database can store (NUL characters,
  unpaired surrogates) is a 422 naming each field. PostgreSQL rejects NUL in text and UTF-8 cannot encode a lone
  surrogate; without this guard such input reached the database and came back as a 500.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

from flask import Flask, current_app, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from stockpile import formats
from stockpile.errors import FieldErrors

# A JSON string literal (escapes included) and, once strings are gone, everything that is not a bracket.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(rb"[^\[\]{}]+")
_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def is_unstorable(text: str) -> bool:
    """Text no database can store: a NUL character, or an unpaired surrogate UTF-8 cannot encode."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def json_depth(body: bytes) -> int:
    """How deeply a JSON text nests arrays and objects, counted without parsing it (brackets outside strings)."""
    brackets = _NOT_A_BRACKET.sub(b"", _JSON_STRING.sub(b"", body))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def _bad_fields(value: Any, path: str) -> list[str]:
    if isinstance(value, str):
        return [path or "body"] if is_unstorable(value) else []
    if isinstance(value, dict):
        return [field for key, item in value.items() for field in _bad_fields(item, str(key) if not path else
                                                                                     f"{path}.{key}")]
    if isinstance(value, list):
        return [field for index, item in enumerate(value) for field in _bad_fields(item, f"{path}.{index}")]
    return []


def _too_large(limit: int) -> RequestEntityTooLarge:
    return RequestEntityTooLarge(_("The request is larger than the %(limit)s bytes this service accepts.",
                                   limit=formats.number(limit)))


def refuse_oversized() -> None:
    """Answer 413 for a body declared longer than the limit, before anything reads it."""
    length = request.content_length
    if length is None:
        return
    limit = int(current_app.config["MAX_CONTENT_LENGTH"])
    if request.is_json:
        limit = min(limit, int(current_app.config["MAX_JSON_BYTES"]))
    if length > limit:
        raise _too_large(limit)


def _refuse_deep_json() -> None:
    body = request.get_data(cache=True)
    limit = int(current_app.config["MAX_JSON_BYTES"])
    if len(body) > limit:  # sent without a declared length
        raise _too_large(limit)
    depth, max_depth = json_depth(body), int(current_app.config["MAX_JSON_DEPTH"])
    if depth > max_depth:
        raise BadRequest(_("The JSON body nests %(depth)d levels deep; at most %(max)d are accepted.",
                           depth=depth, max=max_depth))


def check_body() -> None:
    """After the sign-in check: refuse JSON nested too deeply (400) and text no database can store (422)."""
    if request.endpoint is None:
        return  # routing answers 404 or 405; nothing needs to read the body for that
    if request.is_json:
        _refuse_deep_json()
    fields = [key for key, text in (*request.args.items(multi=True), *request.form.items(multi=True))
              if is_unstorable(key) or is_unstorable(text)]
    if request.is_json:
        fields += _bad_fields(request.get_json(silent=True), "")
    if fields:
        message = _("Text may not contain NUL characters or broken Unicode.")
        raise FieldErrors({field: [message] for field in fields}, message)


def init_size_limit(app: Flask) -> None:
    """The size check, before every other hook (register it before the sign-in check)."""
    app.before_request(refuse_oversized)


def init_app(app: Flask) -> None:
    """The body checks, after the sign-in check (register it after stockpile.auth.guard)."""
    app.before_request(check_body)
