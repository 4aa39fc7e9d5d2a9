"""idempotency keys per user: a key is unique per user with a fingerprint of its booking, no longer ledger-wide

Revision ID: b7c3e9d2a414
Revises: 8a4c2f6e1d37
Create Date: 2026-12-03 18:45:00.000000

Keys already in the ledger are carried over under their movement's user, without a fingerprint (they replay as
before). The ledger's unique constraint on the key goes: two users may choose the same key. The ledger is
append-only, so its triggers are dropped around the change (SQLite rebuilds the table) and created again.
"""
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa

import stockpile.db
from stockpile.append_only import create_triggers, drop_triggers


revision = 'b7c3e9d2a414'
down_revision = '8a4c2f6e1d37'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('idempotency_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=True),
    sa.Column('inputs', sa.JSON(), nullable=True),
    sa.Column('movement_id', sa.Integer(), nullable=True),
    sa.Column('created_at', stockpile.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['movement_id'], ['stock_movements.id'],
                            name=op.f('fk_idempotency_keys_movement_id_stock_movements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idempotency_keys')),
    sa.UniqueConstraint('scope', 'key', name=op.f('uq_idempotency_keys_scope_key'))
    )
    op.execute("INSERT INTO idempotency_keys (scope, key, movement_id, created_at) "
               "SELECT CASE WHEN user_id IS NULL THEN 'system' ELSE 'user:' || user_id END, idempotency_key, id, "
               "created_at FROM stock_movements WHERE idempotency_key IS NOT NULL")
    with ledger_writable():
        with op.batch_alter_table('stock_movements', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f('uq_stock_movements_idempotency_key'), type_='unique')


def downgrade() -> None:
    with ledger_writable():
        # Keys two users both chose: the first booking keeps its key, so the unique constraint can return.
        op.execute("UPDATE stock_movements SET idempotency_key = NULL WHERE idempotency_key IS NOT NULL AND id NOT IN "
                   "(SELECT min(id) FROM stock_movements WHERE idempotency_key IS NOT NULL GROUP BY idempotency_key)")
        with op.batch_alter_table('stock_movements', schema=None) as batch_op:
            batch_op.create_unique_constraint(batch_op.f('uq_stock_movements_idempotency_key'), ['idempotency_key'])
    op.drop_table('idempotency_keys')


@contextmanager
def ledger_writable() -> Iterator[None]:
    """The ledger's append-only triggers out of the way for the change: disabled on PostgreSQL, and on SQLite
    dropped and created again (a batch rebuild of the table would lose them anyway)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE stock_movements DISABLE TRIGGER stock_movements_append_only")
        yield
        op.execute("ALTER TABLE stock_movements ENABLE TRIGGER stock_movements_append_only")
        return
    drop_triggers(op, ('stock_movements',))
    yield
    create_triggers(op, ('stock_movements',))
