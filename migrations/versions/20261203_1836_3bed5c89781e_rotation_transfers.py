"""insight: rotation transfers

Revision ID: 3bed5c89781e
Revises: a76614ec11f9
Create Date: 2026-12-03 18:31:01.454193
"""
from alembic import op
import sqlalchemy as sa

import stockpile.db


revision = '3bed5c89781e'
down_revision = 'a76614ec11f9'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rotation_transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('from_warehouse_id', sa.Integer(), nullable=False),
    sa.Column('to_warehouse_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('units_saved', sa.Integer(), nullable=False),
    sa.Column('movement_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', stockpile.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['from_warehouse_id'], ['warehouses.id'], name=op.f('fk_rotation_transfers_from_warehouse_id_warehouses')),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_rotation_transfers_lot_id_lots')),
    sa.ForeignKeyConstraint(['movement_id'], ['stock_movements.id'], name=op.f('fk_rotation_transfers_movement_id_stock_movements')),
    sa.ForeignKeyConstraint(['to_warehouse_id'], ['warehouses.id'], name=op.f('fk_rotation_transfers_to_warehouse_id_warehouses')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rotation_transfers_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation_transfers')),
    sa.UniqueConstraint('movement_id', name=op.f('uq_rotation_transfers_movement_id'))
    )
    with op.batch_alter_table('rotation_transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rotation_transfers_lot_id'), ['lot_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('rotation_transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rotation_transfers_lot_id'))

    op.drop_table('rotation_transfers')
