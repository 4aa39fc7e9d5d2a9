"""receipt imports: each booked file and each booked line, so neither is booked twice

Revision ID: c3f5f455cc20
Revises: f8e6aee02b4a
Create Date: 2026-12-03 15:19:51.846764
"""
from alembic import op
import sqlalchemy as sa

import stockpile.db
from stockpile.append_only import create_triggers


revision = 'c3f5f455cc20'
down_revision = 'f8e6aee02b4a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('receipt_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', stockpile.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_receipt_imports_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipt_imports')),
    sa.UniqueConstraint('file_sha256', name=op.f('uq_receipt_imports_file_sha256'))
    )
    op.create_table('imported_rows',
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('movement_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['receipt_imports.id'], name=op.f('fk_imported_rows_import_id_receipt_imports')),
    sa.ForeignKeyConstraint(['movement_id'], ['stock_movements.id'], name=op.f('fk_imported_rows_movement_id_stock_movements')),
    sa.PrimaryKeyConstraint('fingerprint', name=op.f('pk_imported_rows')),
    sa.UniqueConstraint('movement_id', name=op.f('uq_imported_rows_movement_id'))
    )
    with op.batch_alter_table('imported_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imported_rows_import_id'), ['import_id'], unique=False)

    # History, like the ledger: refused UPDATE and DELETE (dropping the tables drops the triggers with them).
    create_triggers(op, ('receipt_imports', 'imported_rows'))


def downgrade() -> None:
    with op.batch_alter_table('imported_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_imported_rows_import_id'))

    op.drop_table('imported_rows')
    op.drop_table('receipt_imports')
