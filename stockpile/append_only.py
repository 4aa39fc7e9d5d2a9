"""Database triggers that refuse UPDATE and DELETE on history tables, for migrations to create and re-create.

The application never rewrites history; these make the database refuse it too, whoever connects.
SQLite drops triggers when a batch migration rebuilds a table, so a migration that rebuilds one of these
tables calls create_triggers again for it.
"""

from __future__ import annotations

from typing import Any

APPEND_ONLY_TABLES = ("stock_movements", "audit_events", "lot_status_events", "request_transitions",
                      "allocation_changes")
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION stockpile_refuse_rewrite() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END
$$ LANGUAGE plpgsql
"""


def create_triggers(op: Any, tables: tuple[str, ...] = APPEND_ONLY_TABLES) -> None:
    """Refuse UPDATE and DELETE on the tables."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        for table in tables:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION stockpile_refuse_rewrite()")
        return
    for table in tables:
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END")


def drop_triggers(op: Any, tables: tuple[str, ...] = APPEND_ONLY_TABLES) -> None:
    """Remove the triggers again (downgrade)."""
    if op.get_bind().dialect.name == "postgresql":
        for table in tables:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS stockpile_refuse_rewrite()")
        return
    for table in tables:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")
