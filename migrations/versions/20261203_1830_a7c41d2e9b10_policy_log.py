"""policy log: every change of rationing policy as an append-only version; decisions store the version

Revision ID: a7c41d2e9b10
Revises: c3f5f455cc20
Create Date: 2026-12-03 18:30:00
"""
from alembic import op
import sqlalchemy as sa

import stockpile.db
from stockpile.append_only import create_triggers


revision = 'a7c41d2e9b10'
down_revision = 'c3f5f455cc20'
branch_labels = None
depends_on = None

TOPICS = ('phase', 'min_shelf_life', 'priority_tier', 'allocation', 'norm_cap', 'substitution')
PHASES = ('normal', 'scaling_up', 'crisis', 'scaling_down')


def upgrade() -> None:
    op.create_table(
        'policy_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('topic', sa.Enum(*TOPICS, name='policy_topic', native_enum=False, create_constraint=True,
                                   length=32), nullable=False),
        sa.Column('essential_process_id', sa.Integer(), nullable=True),
        sa.Column('item_id', sa.Integer(), nullable=True),
        sa.Column('old_value', sa.String(length=200), nullable=False),
        sa.Column('new_value', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('phase', sa.Enum(*PHASES, name='crisis_phase', native_enum=False, create_constraint=True,
                                   length=32), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('at', stockpile.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['essential_process_id'], ['essential_processes.id'],
                                name=op.f('fk_policy_versions_essential_process_id_essential_processes')),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_policy_versions_item_id_items')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_policy_versions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_versions')),
    )
    op.create_index('ix_policy_versions_rule', 'policy_versions', ['topic', 'essential_process_id', 'item_id'])
    create_triggers(op, ('policy_versions',))
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('policy_version_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_requests_policy_version_id_policy_versions'), 'policy_versions',
                                    ['policy_version_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_requests_policy_version_id_policy_versions'), type_='foreignkey')
        batch_op.drop_column('policy_version_id')
    # Its triggers go with the table; drop_triggers would also drop the function other tables' triggers use.
    op.drop_index('ix_policy_versions_rule', table_name='policy_versions')
    op.drop_table('policy_versions')
