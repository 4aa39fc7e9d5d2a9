"""The language switch in the header: kept on the user when signed in, in the session before signing in."""

from __future__ import annotations

from flask import Blueprint, redirect, request, session
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from stockpile import i18n
from stockpile.auth import services
from stockpile.auth.views import _safe_next
from stockpile.errors import FieldErrors

bp = Blueprint("language", __name__)


@bp.route("/language", methods=["POST"])
def choose() -> Response:
    """Switch the pages to another offered language and go back to the page the switch was on."""
    choice = request.form.get("locale", "")
    if choice not in i18n.offered_languages():
        raise FieldErrors.one("locale", _("Choose one of these languages: %(codes)s.",
                                          codes=", ".join(i18n.offered_languages())))
    session[i18n.SESSION_KEY] = choice
    if current_user.is_authenticated:
        services.choose_language(current_user._get_current_object(), choice)
    return redirect(_safe_next(request.form.get("next")))
