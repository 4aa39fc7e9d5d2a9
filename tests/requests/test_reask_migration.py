"""The re-ask migration with data in it: a rejected request and its lines survive the rebuild of `requests` on
SQLite, a new request can name it as the one it asks again for, and it all comes back down."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from stockpile.db import make_engine
from stockpile.ops import migrate
from tests.databases import backends, fresh_database

REGION = "(SELECT min(id) FROM regions)"
BEFORE = "b7c3e9d2a414"  # the revision before the re-ask link
ROWS = [
    "INSERT INTO users (id, email, name, password_hash, role, active, session_token, created_at) "
    "VALUES (1, 'r@b.nl', 'R', 'x', 'continuity', true, 'tok', '2026-11-30 01:00:00+00')",
    "INSERT INTO essential_processes (id, code, name, sector, priority_tier, active) "
    "VALUES (1, 'CARE', 'Care', 'care', 1, true)",
    "INSERT INTO items (id, code, name, category, unit_of_issue, units_per_pack, en_standard, shelf_life_months, "
    "lead_time_days, safety_stock_days, active) VALUES (1, 'FFP2', 'FFP2', 'respiratory', 'piece', 1, '', 60, 21, "
    "14, true)",
    "INSERT INTO requests (id, region_id, essential_process_id, needed_by, delivery_address, contact, justification, "
    f"state, created_by_id, decision_note, carrier, shipment_reference, created_at) VALUES (1, {REGION}, 1, "
    "'2026-12-10', 'Utrecht', 'Anna', 'wave', 'rejected', 1, 'none left', '', '', '2026-11-30 02:00:00+00')",
    "INSERT INTO request_lines (id, request_id, item_id, quantity_requested, quantity_approved, quantity_issued, "
    "approval_note, quantity_from_allocation, cut_for_scarcity, discrepancy_note) "
    "VALUES (1, 1, 1, 150, 0, 0, '', 0, true, '')",
]
AGAIN = ("INSERT INTO requests (id, region_id, essential_process_id, needed_by, delivery_address, contact, "
         "justification, state, created_by_id, decision_note, carrier, shipment_reference, created_at, reask_of_id) "
         f"VALUES (2, {REGION}, 1, '2026-12-20', 'Utrecht', 'Anna', 'again', 'draft', 1, '', '', '', "
         "'2026-12-01 02:00:00+00', 1)")


@pytest.mark.parametrize("kind", backends())
def test_requests_and_their_lines_survive_and_a_re_ask_names_its_original(kind, tmp_path) -> None:
    with fresh_database(kind, tmp_path) as url:
        migrate.upgrade(url, BEFORE)
        engine = make_engine(url)  # foreign keys enforced on SQLite too
        try:
            with engine.begin() as conn:
                for row in ROWS:
                    conn.execute(text(row))
            migrate.upgrade(url)
            with engine.begin() as conn:
                assert tuple(conn.execute(text("SELECT state, reask_of_id FROM requests")).one()) == ("rejected", None)
                assert conn.execute(text("SELECT count(*) FROM request_lines")).scalar() == 1  # not cascaded away
                conn.execute(text(AGAIN))
                assert conn.execute(text("SELECT reask_of_id FROM requests WHERE id = 2")).scalar() == 1
            with engine.begin() as conn, pytest.raises(Exception, match=r"(?i)foreign key"):
                conn.execute(text("UPDATE requests SET reask_of_id = 99 WHERE id = 2"))
            migrate.downgrade(url, BEFORE)
            with engine.begin() as conn:
                assert conn.execute(text("SELECT count(*) FROM requests")).scalar() == 2
                assert conn.execute(text("SELECT count(*) FROM request_lines")).scalar() == 1
        finally:
            engine.dispose()
