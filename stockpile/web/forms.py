"""Shared form helpers: the form bases, service errors shown beside their fields, status codes for re-rendered forms."""

from __future__ import annotations

from typing import Any

import wtforms
from flask import render_template
from flask_wtf import FlaskForm as _FlaskForm

from stockpile.db import session
from stockpile.errors import DomainError
from stockpile.library_messages import FORM_TRANSLATIONS, FormTranslations


class Form(wtforms.Form):  # type: ignore[misc]
    """A form without CSRF (query-string filters, sub-forms of lines)."""

    class Meta:
        def get_translations(self, form: Any) -> FormTranslations:
            return FORM_TRANSLATIONS


class FlaskForm(_FlaskForm):  # type: ignore[misc]
    """A posted form with its CSRF token."""

    class Meta(_FlaskForm.Meta):  # type: ignore[misc]
        def get_translations(self, form: Any) -> FormTranslations:
            return FORM_TRANSLATIONS


# A re-rendered form answers 422, so the request boundary rolls back anything half-done.
INVALID_FORM_STATUS = 422


def show_errors(form: _FlaskForm, error: DomainError) -> None:
    """Put a service's field errors beside the form's fields; the rest above the form."""
    session().rollback()
    form.form_errors = list(getattr(form, "form_errors", []))
    for name, messages in (error.errors or {}).items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + list(messages)
        else:
            form.form_errors.extend(messages)
    if not error.errors:
        form.form_errors.append(error.message)


def render_form(template: str, form: _FlaskForm, **context: Any) -> tuple[str, int]:
    """Render a form page with a status that says whether it holds errors."""
    status = INVALID_FORM_STATUS if form.errors or getattr(form, "form_errors", None) else 200
    return render_template(template, form=form, **context), status
