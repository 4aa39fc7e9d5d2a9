"""The projection, probability and flag of the outlook as they were on main before issue 9 (commit 61bf93f), kept
verbatim in substance so that bench/warning_bench.py can set the present method beside the new one.

Pessimistic stock = usable stock minus the running sum of the daily 80 % upper bounds; P(stock-out) = a normal
approximation of demand over the lead time with days taken as independent, read at the lead-time day only; the flag
comes from the pessimistic stock-out date (critical within the lead time, warning within lead + safety, watch
within the horizon).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Z_90 = 1.2816


def simulate(stock: float, demand: Sequence[float]) -> list[float]:
    """End-of-day stock of one lasting lot (the benchmark has no expiry, deliveries or committed demand)."""
    result, left = [], stock
    for need in demand:
        left -= need
        result.append(left)
    return result


def first_stockout(stock: list[float], demand: Sequence[float]) -> int | None:
    """The first day stock is gone while there is demand to meet, as the old `_first_day`."""
    asked = 0.0
    for day, (value, need) in enumerate(zip(stock, demand, strict=True)):
        asked += need
        if value <= 0 and asked > 0:
            return day
    return None


def probability(stock_now: float, yhat: Sequence[float], upper: Sequence[float], lead: int) -> float:
    """The old stock-out probability before the lead time (normal, independent days, read at the lead day)."""
    span = min(max(lead, 1), len(yhat))
    margin = simulate(stock_now, yhat)[span - 1]
    variance = sum(((u - y) / Z_90) ** 2 for y, u in zip(yhat[:span], upper[:span], strict=True))
    if variance <= 0:
        return 1.0 if margin < 0 else 0.0
    return 0.5 * math.erfc(margin / math.sqrt(variance) / math.sqrt(2))


def level(stock_now: float, upper: Sequence[float], lead: int, safety: int) -> str:
    """The old flag: from the pessimistic (summed upper bounds) stock-out day."""
    days = first_stockout(simulate(stock_now, upper), upper)
    if days is None:
        return "none"
    if days <= lead:
        return "critical"
    if days <= lead + safety:
        return "warning"
    return "watch" if days <= len(upper) else "none"
