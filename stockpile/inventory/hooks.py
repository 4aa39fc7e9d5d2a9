"""Where other domains hook into the ledger without the ledger depending on them.

The requests domain registers here: it must re-plan reservations on a lot that stops being usable, and it must
refuse the reversal of an issue that a request's pick booked (undoing it would make shipped stock free again).
"""

from __future__ import annotations

from collections.abc import Callable

from stockpile.inventory.models import Lot, StockMovement

LotHook = Callable[[Lot, int | None], None]
ReversalGuard = Callable[[StockMovement], None]

_when_lot_unusable: list[LotHook] = []
_reversal_guards: list[ReversalGuard] = []


def on_lot_unusable(hook: LotHook) -> None:
    """Call `hook(lot, user_id)` in the same transaction whenever a released lot is blocked, recalled or expired."""
    if hook not in _when_lot_unusable:
        _when_lot_unusable.append(hook)


def guard_reversal(guard: ReversalGuard) -> None:
    """Let `guard(movement)` refuse (by raising a DomainError) the reversal of a movement."""
    if guard not in _reversal_guards:
        _reversal_guards.append(guard)


def lot_became_unusable(lot: Lot, user_id: int | None) -> None:
    """Run the registered hooks for a lot that can no longer be reserved or issued."""
    for hook in _when_lot_unusable:
        hook(lot, user_id)


def check_reversal(movement: StockMovement) -> None:
    """Run the registered guards; any of them may refuse."""
    for guard in _reversal_guards:
        guard(movement)
