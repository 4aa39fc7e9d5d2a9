"""Who is signed in (session cookie for pages, bearer token for the API) and the role guard."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, flash, redirect, request, url_for
from flask import session as browser_session
from flask_babel import gettext as _
from flask_login import LoginManager, current_user, logout_user
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import select

from stockpile.auth.models import Role, User
from stockpile.auth.services import user_for_token
from stockpile.db import session
from stockpile.errors import Forbidden, error_response, wants_json

login_manager = LoginManager()
csrf = CSRFProtect()
F = TypeVar("F", bound=Callable[..., Any])

# Endpoints anyone may reach; every other endpoint needs a signed-in user and declares its roles.
PUBLIC_ENDPOINTS = {"auth.login", "auth.choose_language", "static", "api-docs.openapi_json", "home.health"}


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Allow the wrapped view only to signed-in users holding one of the roles."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                raise Forbidden(_("Your role may not do this."))
            return view(*args, **kwargs)

        guarded.required_roles = roles  # type: ignore[attr-defined]
        return cast(F, guarded)

    return decorate


def signed_in_user() -> User:
    """The signed-in user (views behind roles_required always have one)."""
    return cast(User, current_user._get_current_object())


def _load_user_from_session(session_token: str) -> User | None:
    # The API trusts bearer tokens only, so a browser cookie cannot be used for cross-site API calls.
    if wants_json():
        return None
    user = session().scalar(select(User).where(User.session_token == session_token))
    return user if user is not None and user.active else None


def _load_user_from_token(req: Any) -> User | None:
    header = req.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or not wants_json():
        return None
    return user_for_token(token.strip())


def _unauthorized() -> Response:
    if wants_json():
        response = error_response(401, "unauthorized", _("Sign in with a valid bearer token."))
        response.headers["WWW-Authenticate"] = 'Bearer realm="stockpile"'
        return response
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))  # type: ignore[return-value]


# Seconds since the epoch, kept in the signed session cookie: when the browser signed in, and its last request.
SIGNED_IN_AT, SEEN_AT = "signed_in_at", "seen_at"


def start_browser_session() -> None:
    """Note the sign-in time; the session cookie lasts until the absolute lifetime at most."""
    browser_session.permanent = True
    browser_session[SIGNED_IN_AT] = browser_session[SEEN_AT] = int(time.time())


def _end_stale_session() -> None:
    """A browser session ends after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after sign-in,
    checked on the server from the signed cookie (a browser that keeps the cookie longer gains nothing)."""
    if wants_json() or "_user_id" not in browser_session:
        return
    now, config = int(time.time()), current_app.config
    signed_in = int(browser_session.setdefault(SIGNED_IN_AT, now))
    seen = int(browser_session.get(SEEN_AT, now))
    idle, lifetime = int(config["SESSION_IDLE_MINUTES"]) * 60, int(config["SESSION_MAX_HOURS"]) * 3600
    if now - seen > idle or now - signed_in > lifetime:
        logout_user()
        for key in (SIGNED_IN_AT, SEEN_AT):
            browser_session.pop(key, None)
        flash(_("Your session has ended. Sign in again."), "info")
        return
    browser_session[SEEN_AT] = now


def _require_sign_in() -> Response | None:
    """Deny by default: an endpoint nobody listed as public needs a signed-in user."""
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return _unauthorized()
    return None


def _protect_forms() -> None:
    # Pages use cookies and so need CSRF tokens; the API uses bearer tokens, which browsers never send by themselves.
    if not wants_json() and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


def init_app(app: Flask) -> None:
    """Wire Flask-Login, CSRF and the deny-by-default check into the app."""
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.user_loader(_load_user_from_session)
    login_manager.request_loader(_load_user_from_token)
    login_manager.unauthorized_handler(_unauthorized)
    csrf.init_app(app)
    app.permanent_session_lifetime = dt.timedelta(hours=int(app.config["SESSION_MAX_HOURS"]))
    # Who is asking first (from a header or cookie, no body read), then the form's CSRF token.
    app.before_request(_end_stale_session)
    app.before_request(_require_sign_in)
    app.before_request(_protect_forms)
