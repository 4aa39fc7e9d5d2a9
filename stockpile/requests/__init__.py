"""Regional requests: the approval workflow, ring-fenced allocations, rationing, picking and delivery."""

from __future__ import annotations

from flask import Flask

from stockpile.requests import fulfilment
from stockpile.requests.workflow import STATE_LABELS


def init_app(app: Flask) -> None:
    """Hook the requests into the ledger (lots that become unusable, reversals of picks); state names for pages."""
    fulfilment.init_app()
    app.context_processor(lambda: {"state_label": lambda state: STATE_LABELS.get(state, state)})
