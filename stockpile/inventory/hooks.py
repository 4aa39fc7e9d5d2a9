"""Where other domains hook into the ledger without the ledger depending on them.

The requests domain registers here, once per app, in `requests.init_app`: it re-plans reservations on a lot that
stops being usable, it refuses the reversal of an issue that a request's pick booked (undoing it would make
shipped stock free again), and it declares what allocations hold back for the stock overview. The hooks live in
the app (`app.extensions`), so two apps in one process never share them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app

from stockpile.inventory.models import Lot, StockMovement

LotHook = Callable[[Lot, int | None], None]
ReversalGuard = Callable[[StockMovement], None]
HeldBack = Callable[[], dict[int, int]]
_KEY = "stockpile.ledger_hooks"


@dataclass
class LedgerHooks:
    """What one app's other domains asked the ledger to call."""

    when_lot_unusable: list[LotHook] = field(default_factory=list)
    reversal_guards: list[ReversalGuard] = field(default_factory=list)
    held_back: list[HeldBack] = field(default_factory=list)


def _of(app: Flask) -> LedgerHooks:
    hooks: LedgerHooks = app.extensions.setdefault(_KEY, LedgerHooks())
    return hooks


def on_lot_unusable(app: Flask, hook: LotHook) -> None:
    """Call `hook(lot, user_id)` in the same transaction whenever a released lot is blocked, recalled or expired."""
    _of(app).when_lot_unusable.append(hook)


def guard_reversal(app: Flask, guard: ReversalGuard) -> None:
    """Let `guard(movement)` refuse (by raising a DomainError) the reversal of a movement."""
    _of(app).reversal_guards.append(guard)


def declare_held_back(app: Flask, query: HeldBack) -> None:
    """Name a query giving, per item id, units that free stock must keep back for others (the stock overview)."""
    _of(app).held_back.append(query)


def lot_became_unusable(lot: Lot, user_id: int | None) -> None:
    """Run the registered hooks for a lot that can no longer be reserved or issued."""
    for hook in _of(current_app).when_lot_unusable:
        hook(lot, user_id)


def check_reversal(movement: StockMovement) -> None:
    """Run the registered guards; any of them may refuse."""
    for guard in _of(current_app).reversal_guards:
        guard(movement)


def held_back_by_item() -> dict[int, int]:
    """Per item id, what the declared queries hold back together (nothing when no domain declared one)."""
    totals: dict[int, int] = {}
    for query in _of(current_app).held_back:
        for item_id, units in query().items():
            totals[item_id] = totals.get(item_id, 0) + units
    return totals
