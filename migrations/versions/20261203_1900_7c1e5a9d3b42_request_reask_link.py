"""request re-ask link: a request may name the rejected or cut request it asks again for

The forecast then counts the need of both once. Lines already rejected keep their cut_for_scarcity as it was
judged then (stock short at the moment of rejection); from now on the reviewer says it.

Revision ID: 7c1e5a9d3b42
Revises: b7c3e9d2a414
Create Date: 2026-12-03 19:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = '7c1e5a9d3b42'
down_revision = 'b7c3e9d2a414'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reask_of_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_requests_reask_of_id'), ['reask_of_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_requests_reask_of_id_requests'), 'requests', ['reask_of_id'],
                                    ['id'])


def downgrade() -> None:
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_requests_reask_of_id_requests'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_requests_reask_of_id'))
        batch_op.drop_column('reask_of_id')
