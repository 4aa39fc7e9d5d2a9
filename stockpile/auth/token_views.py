"""Personal API tokens on a page: one's own listed, made and revoked; an administrator sees and revokes everyone's."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from stockpile.auth import services
from stockpile.auth.forms import TokenForm
from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role
from stockpile.db import utcnow
from stockpile.web.forms import shown_on

bp = Blueprint("tokens", __name__)


@bp.route("/account/tokens", methods=["GET", "POST"])
@roles_required(*Role)
def own_tokens() -> str | tuple[str, int]:
    """The signed-in user's tokens; a new one is shown once, on this page only."""
    user, form, new_token = signed_in_user(), TokenForm(), None
    if form.validate_on_submit():
        with shown_on(form) as outcome:
            new_token = services.create_token(user.email, form.days.data, user.id, form.name.data or "")
        if outcome.succeeded:
            form = TokenForm(formdata=None)
    status = 422 if form.errors or form.form_errors else 200
    return render_template("auth/tokens.html", form=form, tokens=services.tokens_of(user), new_token=new_token,
                           everyone=False, now=utcnow()), status


@bp.route("/admin/tokens")
@roles_required(Role.ADMIN)
def all_tokens() -> str:
    """Every user's tokens, for the administrator to revoke one that leaked."""
    return render_template("auth/tokens.html", form=None, tokens=services.tokens_of(None), new_token=None,
                           everyone=True, now=utcnow())


@bp.route("/account/tokens/<id:token_id>/revoke", methods=["POST"])
@roles_required(*Role)
def revoke(token_id: int) -> Response:
    """Revoke a token: one's own, or any as administrator."""
    record = services.revoke_token(token_id, signed_in_user())
    flash(_("Token %(name)s revoked.", name=record.name or record.id), "success")
    back = "tokens.all_tokens" if request.form.get("back") == "all" else "tokens.own_tokens"
    return redirect(url_for(back))
