"""The application factory, and the composition root: the one place that names every domain.

Each part registers itself in a small function, in a declared order. The domains are imported inside these
functions so that importing a single module (a migration, a forecast worker) does not load the whole app.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import Babel

from stockpile import config, errors
from stockpile.db import db, dispatch_retrying


class StockpileFlask(Flask):
    """Flask, with each view run again when PostgreSQL aborts its transaction for a deadlock (stockpile.db)."""

    def dispatch_request(self) -> Any:
        return dispatch_retrying(super().dispatch_request)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Stockpile app; test_config overrides the environment."""
    app = StockpileFlask("stockpile", instance_relative_config=True)
    config.load_config(app, test_config)
    db.init_app(app)
    _register_extensions(app)
    _register_api(app)
    _register_pages(app)
    _register_domains(app)
    errors.init_app(app)
    _register_cli(app)
    return app


def _register_extensions(app: Flask) -> None:
    from stockpile.auth import guard
    from stockpile.web import home, i18n, input_guard, security

    Babel(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)
    security.init_app(app)
    # The size check reads nothing; the sign-in check comes before anything reads a body; then the body checks.
    input_guard.init_size_limit(app)
    guard.init_app(app)
    input_guard.init_app(app)
    home.init_app(app)


def _register_api(app: Flask) -> None:
    from stockpile import api
    from stockpile.alerts import api as alerts_api
    from stockpile.forecast import api as forecast_api
    from stockpile.insight import api as insight_api
    from stockpile.inventory import api as inventory_api
    from stockpile.policy_log import api as policy_api
    from stockpile.reference import api as reference_api
    from stockpile.requests import api as request_api

    api.init_app(app, [*reference_api.blueprints, *inventory_api.blueprints, *request_api.blueprints,
                       *policy_api.blueprints, *forecast_api.blueprints, *insight_api.blueprints,
                       *alerts_api.blueprints])


def _register_pages(app: Flask) -> None:
    """The pages of every domain; this order is the order of the navigation and of the dashboard panels."""
    from stockpile.alerts import views as alert_views
    from stockpile.audit import views as audit_views
    from stockpile.auth import views as auth_views
    from stockpile.forecast import views as forecast_views
    from stockpile.insight import views as insight_views
    from stockpile.inventory import views as inventory_views
    from stockpile.policy_log import views as policy_views
    from stockpile.reference import views as reference_views
    from stockpile.requests import pages as request_pages
    from stockpile.web import home, navigation

    navigation.init_app(app, [home.PAGES, auth_views.PAGES, inventory_views.PAGES, request_pages.PAGES,
                              policy_views.PAGES, forecast_views.PAGES, insight_views.PAGES, reference_views.PAGES,
                              audit_views.PAGES, alert_views.PAGES])


def _register_domains(app: Flask) -> None:
    import stockpile.alerts
    import stockpile.requests
    from stockpile.forecast import outlook

    stockpile.requests.init_app(app)
    # Request moves, flag changes and failed runs reach people as notifications and e-mail.
    stockpile.alerts.init_app(app)
    # The expiring-stock page shows the forecast's projected waste per lot; inventory does not import forecast.
    app.extensions["stockpile.projected_waste_by_lot"] = outlook.projected_waste_by_lot


def _register_cli(app: Flask) -> None:
    from stockpile.auth import cli as auth_cli
    from stockpile.forecast import cli as forecast_cli
    from stockpile.inventory import cli as inventory_cli
    from stockpile.ops import backup, migrate, scheduler, seed

    app.cli.add_command(migrate.db_group)
    for command in (*auth_cli.commands, *inventory_cli.commands, *forecast_cli.commands, *backup.commands,
                    seed.seed_demo, scheduler.scheduler_command):
        app.cli.add_command(command)
