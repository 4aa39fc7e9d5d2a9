"""The application factory: each part registers itself in a small function."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import Babel

from stockpile import config, errors
from stockpile.db import db


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Stockpile app; test_config overrides the environment."""
    app = Flask("stockpile", instance_relative_config=True)
    config.load_config(app, test_config)
    db.init_app(app)
    _register_extensions(app)
    _register_blueprints(app)
    errors.init_app(app)
    _register_cli(app)
    return app


def _register_extensions(app: Flask) -> None:
    from stockpile import api, i18n, input_guard, security
    from stockpile.auth import guard

    Babel(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)
    security.init_app(app)
    input_guard.init_app(app)
    guard.init_app(app)
    api.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from stockpile import audit_views, home
    from stockpile.auth.language import bp as language_bp
    from stockpile.auth.models import Role
    from stockpile.auth.views import bp as auth_bp
    from stockpile.forecast import views as forecast_views
    from stockpile.inventory.booking_views import bp as booking_bp
    from stockpile.inventory.views import bp as inventory_bp
    from stockpile.reference.views import bp as reference_bp
    from stockpile.requests import pages as request_pages

    home.init_app(app)
    request_pages.init_app(app)
    for blueprint in (home.bp, auth_bp, language_bp, reference_bp, audit_views.bp, inventory_bp, booking_bp,
                      *request_pages.blueprints, forecast_views.bp):
        app.register_blueprint(blueprint)
    if all(make is not forecast_views.scarcity_panel for _roles, make in home.PANELS):
        home.add_panel((Role.CONTINUITY, Role.ADMIN), forecast_views.scarcity_panel)
    for endpoint, label, roles in forecast_views.NAV:
        # NAV_LINKS is module-wide and several apps may be built in one process (tests): add each link once.
        if all(link[0] != endpoint for link in home.NAV_LINKS):
            home.add_nav_link(endpoint, label, roles)


def _register_cli(app: Flask) -> None:
    from stockpile import cli

    cli.init_app(app)
