"""Regional requests: the approval workflow, ring-fenced allocations, rationing, picking and delivery."""

from __future__ import annotations

from flask import Flask

from stockpile.requests import reservations
from stockpile.requests.policy import STATE_LABELS


def init_app(app: Flask) -> None:
    """Hook the requests into this app's ledger (see reservations.register_ledger_hooks); state names for pages."""
    reservations.register_ledger_hooks(app)
    app.context_processor(lambda: {"state_label": lambda state: STATE_LABELS.get(state, state)})
