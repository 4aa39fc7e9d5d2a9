"""The risk of a stock-out per essential process: an item's sample paths split among the processes that use it.

Pure numpy, no database. For each path k and day t the item's cumulative demand D(k, t) is shared among processes
by their demand shares, and the units supply has made available by then, A(k, t), are handed out as rationing does:

1. each process first draws on what its allocation (ring-fenced stock) still holds, R(p); when A is less than all
   allocations together, each keeps the same fraction of its R;
2. the rest, A minus all allocations, is free: tier 1 draws first for what it needs beyond its own allocation, then
   tier 2 from what is left, and so on;
3. a tier that cannot get all it needs shares what is left pro rata, so every process of it that still needs units
   is short, and every lower tier gets nothing.

A process is out of stock on a path from the first day it is short; P(stock-out for P on or before day t) is the share
of paths on which that day has come. Cumulative demand through t against supply through t is the same comparison
the item's own projection makes, so with one process and no allocation the two probabilities are equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]
EPSILON = 1e-9


@dataclass(frozen=True)
class Claim:
    """What one process brings to an item: its priority tier, its share of the demand, its ring-fenced units."""

    process_id: int
    tier: int
    share: float
    ring_fenced: float = 0.0


def stockout_probability(demand: Floats, available: Floats, claims: Sequence[Claim]) -> dict[int, Floats]:
    """Per process, P(stock-out on or before each day) over the paths (arrays of shape (paths, days))."""
    days = demand.shape[1]
    if days == 0 or not claims:
        return {claim.process_id: np.zeros(days) for claim in claims}
    held = float(sum(claim.ring_fenced for claim in claims))
    kept = np.clip(available / held, 0.0, 1.0) if held > 0 else np.ones_like(available)
    free = np.maximum(available - held, 0.0)
    needs = {c.process_id: np.maximum(c.share * demand - c.ring_fenced * kept, 0.0) for c in claims}
    short: dict[int, npt.NDArray[np.bool_]] = {}
    for tier in sorted({claim.tier for claim in claims}):
        members = [claim for claim in claims if claim.tier == tier]
        tier_need = sum((needs[c.process_id] for c in members), np.zeros_like(demand))
        tier_short = tier_need > free + EPSILON
        for claim in members:
            short[claim.process_id] = tier_short & (needs[claim.process_id] > EPSILON)
        free = np.maximum(free - tier_need, 0.0)
    return {process_id: _by_day(out) for process_id, out in short.items()}


def _by_day(out: npt.NDArray[np.bool_]) -> Floats:
    """The share of paths out of stock on or before each day (once out, a path stays out)."""
    paths, days = out.shape
    first = np.where(out.any(axis=1), np.argmax(out, axis=1), days)
    counts = np.bincount(first, minlength=days + 1)[:days]
    shares: Floats = np.cumsum(counts) / paths
    return shares
