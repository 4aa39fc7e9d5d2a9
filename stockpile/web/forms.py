"""Shared form helpers: a service call tried in a savepoint, its refusal shown beside the fields, status codes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import render_template
from flask_wtf import FlaskForm

from stockpile.db import session
from stockpile.errors import DomainError

# A re-rendered form answers 422; the request is still committed (the refused call's savepoint was rolled back).
INVALID_FORM_STATUS = 422


@dataclass
class Attempt:
    """The outcome of a service call tried by a page: nothing, or the refusal to show."""

    error: DomainError | None = None

    @property
    def succeeded(self) -> bool:
        return self.error is None


@contextmanager
def attempt() -> Iterator[Attempt]:
    """Try a service call in a savepoint: a DomainError undoes only that call's writes and is kept, not raised.

    The page then shows the refusal and the request boundary commits the rest of the request as usual; no view
    ever rolls back by hand. Any other exception rolls the savepoint back and propagates to the one error handler.
    """
    outcome = Attempt()
    try:
        with session().begin_nested():
            yield outcome
    except DomainError as error:
        outcome.error = error


@contextmanager
def shown_on(form: FlaskForm) -> Iterator[Attempt]:
    """attempt(), with a refusal put on the form: field errors beside their fields, the rest above the form."""
    with attempt() as outcome:
        yield outcome
    if outcome.error is not None:
        show_errors(form, outcome.error)


def show_errors(form: FlaskForm, error: DomainError) -> None:
    """Put a service's field errors beside the form's fields; the rest above the form."""
    form.form_errors = list(getattr(form, "form_errors", []))
    for name, messages in (error.errors or {}).items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + list(messages)
        else:
            form.form_errors.extend(messages)
    if not error.errors:
        form.form_errors.append(error.message)


def render_form(template: str, form: FlaskForm, **context: Any) -> tuple[str, int]:
    """Render a form page with a status that says whether it holds errors."""
    status = INVALID_FORM_STATUS if form.errors or getattr(form, "form_errors", None) else 200
    return render_template(template, form=form, **context), status
