"""The texts the libraries write for us, translated from our own catalogue so a page never mixes two languages.

WTForms' validation messages reach the forms through `FormTranslations` (see stockpile.web.forms); marshmallow's and
webargs' messages in API errors, and Werkzeug's and Flask-WTF's error descriptions, are translated by
`translate_library_text` in the one error handler. The English originals are the catalogue's message ids, so an
English page reads exactly as the library wrote it.
"""

from __future__ import annotations

import re

from flask_babel import get_translations, gettext
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln


def N_(message: str) -> str:  # noqa: N802 - gettext's own name for "mark only"
    """Mark a text for the catalogue; it is translated where it is shown."""
    return message


# WTForms formats these itself (with %), so they are looked up, never formatted, here.
WTFORMS_TEXTS = [
    N_("This field is required."),
    N_("Invalid input."),
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
    N_("Not a valid date value."),
    N_("Not a valid datetime value."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Invalid email address."),
    _ln("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long.", 1),
    _ln("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 1),
    _ln("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long.", 1),
]


class FormTranslations:
    """WTForms' translations object, answering from Stockpile's catalogue in the request's language."""

    def gettext(self, string: str) -> str:
        """The translation of one of WTForms' texts, unformatted."""
        return str(get_translations().ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural translation of one of WTForms' texts, unformatted."""
        return str(get_translations().ungettext(singular, plural, n))


FORM_TRANSLATIONS = FormTranslations()

# marshmallow and webargs write these (with their own placeholders in braces); written here with %(name)s.
API_TEXTS = [
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Invalid value."),
    N_("Invalid type."),
    N_("Invalid input type."),
    N_("Unknown field."),
    N_("Invalid JSON body."),
    N_("Not a valid string."),
    N_("Not a valid utf-8 string."),
    N_("Not a valid integer."),
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Not a valid datetime."),
    N_("Not a valid aware datetime."),
    N_('"%(input)s" cannot be formatted as a date.'),
    N_('"%(input)s" cannot be formatted as a datetime.'),
    N_("Not a valid list."),
    N_("Not a valid mapping type."),
    N_("Not a valid email address."),
    N_("Must be one of: %(choices)s."),
    N_("Must be greater than or equal to %(min)s."),
    N_("Must be less than or equal to %(max)s."),
    N_("Must be greater than or equal to %(min)s and less than or equal to %(max)s."),
    N_("Shorter than minimum length %(min)s."),
    N_("Longer than maximum length %(max)s."),
    N_("Length must be between %(min)s and %(max)s."),
    N_("Length must be %(equal)s."),
    N_("String does not match expected pattern."),
]

# Werkzeug's default descriptions, by status, replaced with our own words; Flask-WTF's CSRF refusals by text.
HTTP_TEXTS = {
    400: _l("The request could not be understood. Go back, reload the page and try again."),
    401: _l("Sign in first."),
    403: _l("Your role may not do this."),
    404: _l("This page does not exist, or it is not yours to see."),
    405: _l("This address does not accept that kind of request."),
    409: _l("Someone changed this at the same time. Reload the page and try again."),
    413: _l("What was sent is too large."),
    415: _l("This kind of content is not accepted here."),
    429: _l("Too many requests. Wait a moment and try again."),
    500: _l("Something went wrong on our side."),
    503: _l("The service is unavailable at the moment. Try again shortly."),
}
CSRF_TEXT = _l("The form's security token (CSRF) is missing or out of date. Reload the page and send the form again.")
CSRF_REASONS = {
    "The CSRF token is missing.", "The CSRF session token is missing.", "The CSRF token has expired.",
    "The CSRF token is invalid.", "The CSRF tokens do not match.", "CSRF validation failed.",
    "The referrer header is missing.", "The referrer does not match the host.",
}


def _pattern(message_id: str) -> re.Pattern[str]:
    """A message id with %(name)s placeholders as a regular expression that captures each value."""
    escaped = re.escape(message_id)
    return re.compile("^" + re.sub(r"%\\\(([a-z]+)\\\)s", r"(?P<\1>.+?)", escaped) + "$")


# Longest first, so "at least {min} and at most {max}" is never read as "at least {min}" with a long minimum.
_API_PATTERNS = [(_pattern(text), text) for text in sorted(API_TEXTS, key=len, reverse=True)]


def translate_library_text(text: str) -> str:
    """marshmallow's or webargs' English message in the request's language; any other text as it is."""
    for pattern, message_id in _API_PATTERNS:
        match = pattern.match(text)
        if match:
            return str(gettext(message_id, **match.groupdict()))
    return text


def http_description(status: int, description: str | None, default: str | None) -> str:
    """An error's description for people: our words for the library's default texts, our own texts unchanged."""
    if description in CSRF_REASONS:
        return str(CSRF_TEXT)
    if description is None or description == default:
        return str(HTTP_TEXTS.get(status, description or ""))
    return description

