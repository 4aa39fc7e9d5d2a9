"""Where other domains hear of a request's moves without the requests depending on them.

The alerts register here, once per app, in `alerts.init_app`: a request that changes state tells its region. The
hooks live in the app (`app.extensions`), so two apps in one process never share them. A hook runs in the same
transaction as the move, so what it writes (a notification, an e-mail in the outbox) is kept or undone with it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

from stockpile.requests.models import RequestState, SupplyRequest

MoveHook = Callable[[SupplyRequest, RequestState, RequestState, int | None, str], None]
_KEY = "stockpile.request_hooks"


def _of(app: Flask) -> list[MoveHook]:
    hooks: list[MoveHook] = app.extensions.setdefault(_KEY, [])
    return hooks


def on_request_moved(app: Flask, hook: MoveHook) -> None:
    """Call `hook(request, old_state, new_state, user_id, comment)` in the same transaction after every move."""
    _of(app).append(hook)


def request_moved(request: SupplyRequest, old: RequestState, new: RequestState, user_id: int | None,
                  comment: str) -> None:
    """Run the registered hooks for a request that moved from `old` to `new` (with the move's comment)."""
    for hook in _of(current_app):
        hook(request, old, new, user_id, comment)
