"""login failures by account key: a keyed hash of the normalised email instead of the text typed in the box

Revision ID: 5d1e7a0c9b21
Revises: 3bed5c89781e
Create Date: 2026-12-03 18:00:00.000000

The rows only count failures within a window of minutes, so both directions drop them rather than convert them
(an HMAC cannot be turned back into an email, and what was typed should not be kept).
"""
from alembic import op
import sqlalchemy as sa


revision = '5d1e7a0c9b21'
down_revision = '3bed5c89781e'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM login_failures")
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_email'))
        batch_op.drop_column('email')
        batch_op.add_column(sa.Column('account_key', sa.String(length=64), nullable=False))
        batch_op.create_index(batch_op.f('ix_login_failures_account_key'), ['account_key'], unique=False)


def downgrade() -> None:
    op.execute("DELETE FROM login_failures")
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_account_key'))
        batch_op.drop_column('account_key')
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=False))
        batch_op.create_index(batch_op.f('ix_login_failures_email'), ['email'], unique=False)
