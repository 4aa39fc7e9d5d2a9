"""The administrator's list, create and edit pages for every kind of reference data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from stockpile.auth.guard import roles_required, signed_in_user
from stockpile.auth.models import Role
from stockpile.db import session
from stockpile.reference import forms
from stockpile.reference.models import EssentialProcess, Item, Region, Warehouse
from stockpile.reference.services import create_reference, get_reference, update_reference
from stockpile.web.forms import render_form, shown_on
from stockpile.web.navigation import NavEntry, WebPart

bp = Blueprint("reference", __name__, url_prefix="/admin")


@dataclass(frozen=True)
class Kind:
    """One kind of reference data and how its pages show it."""

    slug: str
    model: Any
    form: type[FlaskForm]
    title: Any
    columns: tuple[tuple[str, Any], ...]


KINDS = {
    kind.slug: kind
    for kind in (
        Kind("regions", Region, forms.RegionForm, _l("Safety regions"),
             (("code", _l("Code")), ("name", _l("Name")), ("active", _l("Active")))),
        Kind("processes", EssentialProcess, forms.ProcessForm, _l("Essential processes"),
             (("code", _l("Code")), ("name", _l("Name")), ("sector", _l("Sector")),
              ("priority_tier", _l("Tier")), ("active", _l("Active")))),
        Kind("items", Item, forms.ItemForm, _l("Items"),
             (("code", _l("Code")), ("name", _l("Name")), ("category", _l("Category")),
              ("unit_of_issue", _l("Unit")), ("en_standard", _l("EN standard")),
              ("lead_time_days", _l("Lead time (days)")), ("active", _l("Active")))),
        Kind("warehouses", Warehouse, forms.WarehouseForm, _l("Warehouses"),
             (("code", _l("Code")), ("name", _l("Name")), ("region", _l("Region")), ("active", _l("Active")))),
    )
}


def _make_form(kind: Kind, obj: Any = None) -> FlaskForm:
    form = kind.form(obj=obj)
    if kind.model is Warehouse:
        regions = session().scalars(select(Region).order_by(Region.code))
        form.region_id.choices = [SelectChoice(str(r.id), f"{r.code} {r.name}") for r in regions]
    return form


def _form_data(form: FlaskForm) -> dict[str, Any]:
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


@bp.route("/<any(regions,processes,items,warehouses):slug>")
@roles_required(Role.ADMIN)
def list_kind(slug: str) -> str:
    """All records of one kind, ordered by code."""
    kind = KINDS[slug]
    rows = session().scalars(select(kind.model).order_by(kind.model.code)).all()
    return render_template("reference/list.html", kind=kind, rows=rows)


@bp.route("/<any(regions,processes,items,warehouses):slug>/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def new_kind(slug: str) -> Response | tuple[str, int]:
    """Create a record; a duplicate code is shown beside the code field."""
    kind = KINDS[slug]
    form = _make_form(kind)
    if form.validate_on_submit():
        with shown_on(form) as outcome:
            create_reference(kind.model, _form_data(form), signed_in_user().id)
        if outcome.succeeded:
            flash(_("Saved."), "success")
            return redirect(url_for("reference.list_kind", slug=slug))
    return render_form("reference/form.html", form, kind=kind, title=_("New"))


@bp.route("/<any(regions,processes,items,warehouses):slug>/<id:object_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_kind(slug: str, object_id: int) -> Response | tuple[str, int]:
    """Edit a record, including (de)activating it."""
    kind = KINDS[slug]
    obj = get_reference(kind.model, object_id)
    form = _make_form(kind, obj)
    if form.validate_on_submit():
        with shown_on(form) as outcome:
            update_reference(obj, _form_data(form), signed_in_user().id)
        if outcome.succeeded:
            flash(_("Saved."), "success")
            return redirect(url_for("reference.list_kind", slug=slug))
    return render_form("reference/form.html", form, kind=kind, title=str(obj))


ADMIN = (Role.ADMIN,)
PAGES = WebPart(
    blueprints=(bp,),
    nav=tuple(NavEntry("reference.list_kind", label, ADMIN, {"slug": slug}) for slug, label in (
        ("items", _l("Items")), ("warehouses", _l("Warehouses")), ("processes", _l("Processes")),
        ("regions", _l("Regions")))),
)
