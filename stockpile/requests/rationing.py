"""Rationing under scarcity: who gets what of an item when open requests ask for more than is free.

The rule, in order:
1. Each process first draws on its own allocation (ring-fence) for the item, shared pro rata among its lines.
2. What is free beyond all allocations is served tier by tier (tier 1 first); a tier that cannot be served in
   full shares what is left pro rata to what its lines still need; lower tiers then get nothing.
3. Whole units only: after rounding down, the leftover units go to the largest fractions, ties to the earliest
   needed-by date, then the oldest request.
When allocations exceed the usable stock itself, they too are honoured in tier order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class Claim:
    """One open request line's ask for the item."""

    line_id: int
    process_id: int
    tier: int
    asked: int
    order_key: tuple[Any, ...] = ()


def ration(usable_free: int, allocation_remaining: dict[int, int], claims: list[Claim]) -> dict[int, int]:
    """Split usable free stock over the claims by the rule above; returns line id -> units granted."""
    granted = dict.fromkeys((claim.line_id for claim in claims), 0)
    physical = usable_free
    for tier in sorted({claim.tier for claim in claims}):
        for process_id in sorted({c.process_id for c in claims if c.tier == tier}):
            mine = [c for c in claims if c.process_id == process_id]
            pool = min(allocation_remaining.get(process_id, 0), physical)
            shares = share_pro_rata(pool, [(c, c.asked) for c in mine])
            for claim, units in shares.items():
                granted[claim.line_id] += units
                physical -= units
    common = max(0, usable_free - sum(allocation_remaining.values()))
    common = min(common, physical)
    for tier in sorted({claim.tier for claim in claims}):
        needs = [(c, c.asked - granted[c.line_id]) for c in claims if c.tier == tier]
        shares = share_pro_rata(common, needs)
        for claim, units in shares.items():
            granted[claim.line_id] += units
            common -= units
    return granted


def share_pro_rata(amount: int, needs: Iterable[tuple[Claim, int]]) -> dict[Claim, int]:
    """Give `amount` units to needs in proportion, never more than a need, whole units by largest remainder."""
    needs = [(claim, need) for claim, need in needs if need > 0]
    total = sum(need for _claim, need in needs)
    if total <= amount:
        return dict(needs)
    exact = {claim: Fraction(amount * need, total) for claim, need in needs}
    shares = {claim: int(value) for claim, value in exact.items()}
    leftover = amount - sum(shares.values())
    by_fraction = sorted(exact, key=lambda c: (-(exact[c] - shares[c]), c.order_key, c.line_id))
    for claim in by_fraction[:leftover]:
        shares[claim] += 1
    return shares


def grouped_by_tier(claims: list[Claim]) -> dict[int, list[Claim]]:
    """Claims per tier, for showing a proposal."""
    tiers: dict[int, list[Claim]] = defaultdict(list)
    for claim in claims:
        tiers[claim.tier].append(claim)
    return dict(sorted(tiers.items()))
