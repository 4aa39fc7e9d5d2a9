"""Sign-in pages and the administrator's user pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask import session as browser_session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from stockpile import audit
from stockpile.auth import services, throttle, token_views
from stockpile.auth.forms import ChangePasswordForm, LoginForm, NewUserForm, PasswordForm, UserForm
from stockpile.auth.guard import roles_required, signed_in_user, start_browser_session
from stockpile.auth.models import Role, User
from stockpile.db import session
from stockpile.errors import FieldErrors
from stockpile.reference.models import Region
from stockpile.web import i18n
from stockpile.web.forms import render_form, shown_on
from stockpile.web.navigation import NavEntry, WebPart

bp = Blueprint("auth", __name__)
ViewResult = Response | str | tuple[str, int] | tuple[str, int, dict[str, str]]


@bp.route("/login", methods=["GET", "POST"])
def login() -> ViewResult:
    """Sign in; a failure never tells whether the account exists, and repeated failures are throttled."""
    form = LoginForm()
    if form.validate_on_submit():
        email, address = services.normalise_email(form.email.data or ""), request.remote_addr or "unknown"
        # The audit log keeps the address of an existing account only: whatever else was typed in the box (a
        # password, by mistake) is never stored or shown to administrators.
        account = services.known_account(email)
        wait = throttle.seconds_to_wait(email, address)
        if wait is not None:
            # Kept although the page answers 429: the boundary commits whenever no exception escaped.
            audit.record(None, "auth.login_throttled", None, email=account, address=address)
            form.form_errors = [ngettext("Too many failed sign-ins. Try again in %(num)d second.",
                                         "Too many failed sign-ins. Try again in %(num)d seconds.", wait)]
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait)}
        user = services.authenticate(email, form.password.data or "")
        if user is not None:
            login_user(user, remember=False)
            start_browser_session()
            audit.record(user.id, "auth.login", user, address=address)
            return redirect(_safe_next(request.args.get("next")))
        throttle.record_failure(email, address)
        audit.record(None, "auth.login_failed", None, email=account, address=address)  # kept, as the failure
        form.form_errors = [_("Unknown email or wrong password.")]
    return render_form("auth/login.html", form)


@bp.route("/logout", methods=["POST"])
@roles_required(*Role)
def logout() -> Response:
    """Sign out everywhere: the session token rotates, so copies of the cookie stop working too."""
    user = signed_in_user()
    services.rotate_sessions(user)
    audit.record(user.id, "auth.logout", user)
    logout_user()
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@roles_required(*Role)
def change_password() -> ViewResult:
    """Change one's own password; other browsers signed in as this user are signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = signed_in_user()
        with shown_on(form) as outcome:
            services.change_own_password(user, form.current.data or "", form.password.data or "",
                                         form.confirm.data or "")
        if outcome.succeeded:
            login_user(user, remember=False)  # this browser keeps its session under the new token
            flash(_("Password changed. Other sessions have been signed out."), "success")
            return redirect(url_for("home.dashboard"))
    return render_form("auth/change_password.html", form)


def _safe_next(target: str | None) -> str:
    """Only same-site paths are followed after sign-in; anything else goes to the dashboard.

    A control character (a CR/LF would split the Location header: a 500 after signing in) or a backslash (which
    browsers read as a slash, making "/\\evil.example" another site) makes the whole target ignored.
    """
    if (target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc
            and "\\" not in target and not any(ord(char) < 32 or ord(char) == 127 for char in target)):
        return target
    return url_for("home.dashboard")


@bp.route("/admin/users")
@roles_required(Role.ADMIN)
def list_users() -> str:
    """All users with role, region and status."""
    users = session().scalars(select(User).order_by(User.email)).all()
    return render_template("auth/users.html", users=users)


def _region_choices() -> list[SelectChoice]:
    regions = session().scalars(select(Region).order_by(Region.code))
    return [SelectChoice("", "—")] + [SelectChoice(r.code, f"{r.code} {r.name}") for r in regions]


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_user() -> ViewResult:
    """Create a user with a first password."""
    form = NewUserForm()
    form.region.choices = _region_choices()
    if form.validate_on_submit():
        with shown_on(form) as outcome:
            services.create_user(
                form.email.data or "", form.password.data or "", form.role.data or "",
                form.region.data or None, form.name.data or "", signed_in_user().id,
            )
        if outcome.succeeded:
            flash(_("User %(email)s created.", email=form.email.data), "success")
            return redirect(url_for("auth.list_users"))
    return render_form("auth/user_form.html", form, title=_("New user"))


@bp.route("/admin/users/<id:user_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id: int) -> ViewResult:
    """Change a user's name, role and region."""
    user = services.get_user(user_id)
    form = UserForm(obj=_user_form_data(user))
    form.region.choices = _region_choices()
    del form.email  # an email is the sign-in name and stays as it is
    if form.validate_on_submit():
        with shown_on(form) as outcome:
            services.update_user(
                user, form.role.data or "", form.region.data or None, form.name.data or "", signed_in_user().id
            )
        if outcome.succeeded:
            flash(_("User %(email)s saved.", email=user.email), "success")
            return redirect(url_for("auth.list_users"))
    return render_form("auth/user_form.html", form, title=user.email, user=user, password_form=PasswordForm())


def _user_form_data(user: User) -> Any:
    class Data:
        name = user.name
        role = user.role.value
        region = user.region.code if user.region else ""

    return Data


@bp.route("/admin/users/<id:user_id>/password", methods=["POST"])
@roles_required(Role.ADMIN)
def reset_password(user_id: int) -> ViewResult:
    """Set a new password for a user; their open sessions end."""
    user = services.get_user(user_id)
    form = PasswordForm()
    if form.validate_on_submit():
        with shown_on(form) as outcome:
            services.set_password(user, form.password.data or "", signed_in_user().id)
        if outcome.succeeded:
            flash(_("Password of %(email)s reset.", email=user.email), "success")
            return redirect(url_for("auth.edit_user", user_id=user.id))
    user_form = UserForm(obj=_user_form_data(user))
    user_form.region.choices = _region_choices()
    del user_form.email
    html = render_template("auth/user_form.html", form=user_form, title=user.email, user=user, password_form=form)
    return html, 422


@bp.route("/admin/users/<id:user_id>/active", methods=["POST"])
@roles_required(Role.ADMIN)
def toggle_active(user_id: int) -> Response:
    """Deactivate or reactivate a user."""
    user = services.get_user(user_id)
    actor = signed_in_user()
    if user.id == actor.id:
        flash(_("You cannot deactivate yourself."), "error")
    else:
        services.set_active(user, not user.active, actor.id)
        flash(_("User %(email)s is now %(state)s.", email=user.email,
                state=_("active") if user.active else _("inactive")), "success")
    return redirect(url_for("auth.list_users"))


@bp.route("/language", methods=["POST"])
def choose_language() -> Response:
    """Switch the pages to another offered language and go back to the page the switch was on."""
    choice = request.form.get("locale", "")
    if choice not in i18n.offered_languages():
        raise FieldErrors.one("locale", _("Choose one of these languages: %(codes)s.",
                                          codes=", ".join(i18n.offered_languages())))
    browser_session[i18n.SESSION_KEY] = choice
    if current_user.is_authenticated:
        services.choose_language(signed_in_user(), choice)
    return redirect(_safe_next(request.form.get("next")))


PAGES = WebPart(blueprints=(bp, token_views.bp), nav=(NavEntry("auth.list_users", _l("Users"), (Role.ADMIN,)),
                                                      NavEntry("tokens.own_tokens", _l("API tokens"), tuple(Role))))
