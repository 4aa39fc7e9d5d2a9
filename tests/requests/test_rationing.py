"""Worked examples of the rationing rule (see stockpile/requests/rationing.py)."""

from __future__ import annotations

from stockpile.requests.rationing import Claim, ration


def claims(*rows):
    return [Claim(line_id=n, process_id=p, tier=t, asked=a, order_key=(n,)) for n, (p, t, a) in enumerate(rows, 1)]


def test_enough_stock_serves_everyone_in_full() -> None:
    assert ration(1000, {}, claims((1, 1, 300), (2, 2, 400))) == {1: 300, 2: 400}


def test_a_tier_that_cannot_be_served_in_full_shares_pro_rata_and_lower_tiers_get_nothing() -> None:
    # 1,000 free; tier 1 asks 600 + 600; tier 2 asks 500.
    assert ration(1000, {}, claims((1, 1, 600), (2, 1, 600), (3, 2, 500))) == {1: 500, 2: 500, 3: 0}


def test_higher_tier_in_full_then_pro_rata_with_largest_remainder() -> None:
    # 1,000 free; tier 1 asks 300; tier 2 asks 600 and 300 of the 700 left: 466.67 and 233.33 -> 467 and 233.
    assert ration(1000, {}, claims((1, 1, 300), (2, 2, 600), (3, 2, 300))) == {1: 300, 2: 467, 3: 233}


def test_an_allocation_is_served_first_even_to_a_lower_tier() -> None:
    # 1,000 free; the fire brigade (tier 2) has 200 ring-fenced; care (tier 1) asks 1,000, fire asks 300.
    # Fire gets its 200; care gets the 800 not ring-fenced; fire's other 100 finds nothing left.
    assert ration(1000, {2: 200}, claims((1, 1, 1000), (2, 2, 300))) == {1: 800, 2: 200}


def test_allocation_of_a_process_without_claims_stays_held_back() -> None:
    # Police (process 9) has 300 ring-fenced and asks nothing now: only 700 can be shared.
    assert ration(1000, {9: 300}, claims((1, 1, 1000))) == {1: 700}


def test_allocation_shared_pro_rata_between_lines_of_the_same_process() -> None:
    assert ration(100, {1: 90}, claims((1, 1, 60), (1, 1, 60))) == {1: 50, 2: 50}


def test_allocations_beyond_stock_are_honoured_in_tier_order() -> None:
    # Only 100 usable, but tier 1 and tier 2 each have 100 ring-fenced.
    assert ration(100, {1: 100, 2: 100}, claims((1, 1, 100), (2, 2, 100))) == {1: 100, 2: 0}


def test_never_more_than_asked_nor_than_free() -> None:
    result = ration(7, {}, claims((1, 1, 3), (2, 1, 3), (3, 1, 3)))
    assert sum(result.values()) == 7
    assert all(0 <= units <= 3 for units in result.values())
    assert sorted(result.values()) == [2, 2, 3]
