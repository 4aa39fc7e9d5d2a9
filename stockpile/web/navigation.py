"""What a domain adds to the page shell: its blueprints, navigation entries and dashboard panels.

Each domain declares one `WebPart`; `create_app` hands them to `init_app` in a declared order, which is the order
of the navigation and of the dashboard panels. Nothing is added to a shared list at import time, so the order
never depends on which module happened to be imported first, and several apps in one process never see each
other's entries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Flask, current_app

from stockpile.auth.models import Role, User

_KEY = "stockpile.web_parts"


@dataclass(frozen=True)
class NavEntry:
    """A link in the main navigation, shown to the roles that use the page."""

    endpoint: str
    label: Any  # lazy text, translated when the page is rendered
    roles: tuple[Role, ...]
    args: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Panel:
    """A dashboard panel: real figures or an honest 'nothing yet'."""

    title: Any
    rows: list[tuple[Any, Any]] = field(default_factory=list)
    empty: Any = ""
    link: tuple[str, Any] | None = None


@dataclass(frozen=True)
class PanelEntry:
    """A dashboard panel, made for the signed-in user when one of the roles looks at the dashboard."""

    roles: tuple[Role, ...]
    make: Callable[[User], Panel]


@dataclass(frozen=True)
class WebPart:
    """One domain's pages: its blueprints, its navigation entries and its dashboard panels."""

    blueprints: tuple[Blueprint, ...] = ()
    nav: tuple[NavEntry, ...] = ()
    panels: tuple[PanelEntry, ...] = ()


def init_app(app: Flask, parts: Sequence[WebPart]) -> None:
    """Register the parts' blueprints and keep their entries, in the order given, for this app."""
    for part in parts:
        for blueprint in part.blueprints:
            app.register_blueprint(blueprint)
    app.extensions[_KEY] = tuple(parts)


def nav_entries(role: Role) -> list[NavEntry]:
    """The navigation of a role, in the declared order."""
    return [entry for part in _parts() for entry in part.nav if role in entry.roles]


def panels_for(user: User) -> list[Panel]:
    """The dashboard panels of the user's role, made now, in the declared order."""
    return [entry.make(user) for part in _parts() for entry in part.panels if user.role in entry.roles]


def _parts() -> tuple[WebPart, ...]:
    parts: tuple[WebPart, ...] = current_app.extensions[_KEY]
    return parts
