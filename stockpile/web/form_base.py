"""The bases of every form: WTForms' own messages come from Stockpile's catalogue, in the page's language."""

from __future__ import annotations

from typing import Any

import wtforms
from flask_wtf import FlaskForm as _FlaskForm

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
