"""The outlook migration with data in it: the latest run's flag and acknowledgement are carried over, a run left
'running' can be reaped, forecasts survive the rebuild of forecast_runs on SQLite, and it all comes back down."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine, text

from stockpile.ops import migrate
from tests.databases import backends, fresh_database

BEFORE = "3af1ab6181cd"  # the forecast schema with per-run scarcity_flags
NOTE = "Extra inkoop 30.000 st. besteld"
ROWS = [
    "INSERT INTO users (id, email, name, password_hash, role, active, session_token, created_at) "
    "VALUES (1, 'a@b.nl', 'A', 'x', 'continuity', true, 'tok', '2026-11-30 01:00:00+00')",
    "INSERT INTO items (id, code, name, category, unit_of_issue, units_per_pack, en_standard, shelf_life_months, "
    "lead_time_days, safety_stock_days, active) VALUES (1, 'FFP2', 'FFP2', 'respiratory', 'piece', 1, '', 60, 21, "
    "14, true)",
    "INSERT INTO forecast_runs (id, started_at, finished_at, status, trigger, horizon_days, history_start, "
    "history_end, series_count, failed_series, error_summary) VALUES "
    "(1, '2026-11-30 01:00:00+00', '2026-11-30 01:05:00+00', 'succeeded', 'cli', 90, '2025-01-01', '2026-11-29', 1, "
    "0, ''), (2, '2026-12-01 01:00:00+00', NULL, 'running', 'manual', 90, NULL, NULL, 0, 0, '')",
    "INSERT INTO forecast_series (id, run_id, item_id, region_id, method, error, seconds) "
    "VALUES (1, 1, 1, NULL, 'ets', '', 1.0)",
    "INSERT INTO forecast_points (series_id, day, yhat, yhat_lower, yhat_upper) VALUES (1, '2026-11-30', 10, 5, 15)",
    "INSERT INTO scarcity_flags (run_id, item_id, level, change, previous_level, usable_stock, mean_daily_forecast, "
    "days_of_supply, stockout_central, stockout_pessimistic, below_safety, stockout_probability, lead_time_days, "
    "safety_stock_days, acknowledged_by_id, acknowledged_at, acknowledgement_note) VALUES (1, 1, 'critical', 'new', "
    f"NULL, 100, 10, 10, '2026-12-10', '2026-12-08', NULL, 0.9, 21, 14, 1, '2026-11-30 08:00:00+00', '{NOTE}')",
]


@pytest.mark.parametrize("kind", backends())
def test_flags_and_acknowledgements_are_carried_over_and_runs_become_queueable(kind, tmp_path) -> None:
    with fresh_database(kind, tmp_path) as url:
        migrate.upgrade(url, BEFORE)
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                for row in ROWS:
                    conn.execute(text(row))
            migrate.upgrade(url)
            with engine.begin() as conn:
                assert conn.execute(text("SELECT count(*) FROM forecast_points")).scalar() == 1  # not cascaded away
                ack = conn.execute(text("SELECT item_id, level, stockout_central, horizon_end, note, by_id, ended_at "
                                        "FROM flag_acknowledgements")).one()
                assert tuple(ack) == (1, "critical", _day(kind, 2026, 12, 10), _day(kind, 2027, 2, 28), NOTE, 1, None)
                assert tuple(conn.execute(text("SELECT item_id, level, run_id FROM flag_states")).one()) == (
                    1, "critical", 1)
                running = conn.execute(text("SELECT status, active, heartbeat_at IS NOT NULL FROM forecast_runs "
                                            "WHERE id = 2")).one()
                assert tuple(running) == ("running", 1, True)  # it holds the slot until the reaper ends it
            migrate.downgrade(url, BEFORE)
            with engine.begin() as conn:
                assert conn.execute(text("SELECT count(*) FROM forecast_points")).scalar() == 1
                assert conn.execute(text("SELECT count(*) FROM scarcity_flags")).scalar() == 0
        finally:
            engine.dispose()


def _day(kind: str, *ymd: int) -> object:
    value = dt.date(*ymd)
    return value.isoformat() if kind == "sqlite" else value
