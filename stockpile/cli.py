"""The `stockpile` command: Flask's CLI on the app factory, which attaches every domain's commands."""

from __future__ import annotations

from flask.cli import FlaskGroup

from stockpile.app import create_app


def main() -> None:
    """Entry point of the `stockpile` console script."""
    group = FlaskGroup(create_app=create_app, help="Stockpile: the national PPE stockpile.")
    group(prog_name="stockpile")
