"""Refuse text no database can store: NUL characters and unpaired surrogates, in any field of any request.

PostgreSQL rejects NUL in text and UTF-8 cannot encode a lone surrogate; without this guard such input reached
the database and came back as a 500. Checked once, before any view, for query strings, forms and JSON bodies.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_babel import gettext as _

from stockpile.errors import FieldErrors


def is_unstorable(text: str) -> bool:
    """Text no database can store: a NUL character, or an unpaired surrogate UTF-8 cannot encode."""
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _bad_fields(value: Any, path: str) -> list[str]:
    if isinstance(value, str):
        return [path or "body"] if is_unstorable(value) else []
    if isinstance(value, dict):
        return [field for key, item in value.items() for field in _bad_fields(item, str(key) if not path else
                                                                                     f"{path}.{key}")]
    if isinstance(value, list):
        return [field for index, item in enumerate(value) for field in _bad_fields(item, f"{path}.{index}")]
    return []


def refuse_unstorable_text() -> None:
    """Answer 422 naming each field whose text contains NUL or an unpaired surrogate."""
    fields = [key for key, text in (*request.args.items(multi=True), *request.form.items(multi=True))
              if is_unstorable(key) or is_unstorable(text)]
    if request.is_json:
        fields += _bad_fields(request.get_json(silent=True), "")
    if fields:
        message = _("Text may not contain NUL characters or broken Unicode.")
        raise FieldErrors({field: [message] for field in fields}, message)


def init_app(app: Flask) -> None:
    """Run the guard before every view."""
    app.before_request(refuse_unstorable_text)
