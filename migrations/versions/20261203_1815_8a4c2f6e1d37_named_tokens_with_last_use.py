"""named tokens with last use: a name for each API token and when it was last used

Revision ID: 8a4c2f6e1d37
Revises: 5d1e7a0c9b21
Create Date: 2026-12-03 18:15:00.000000
"""
from alembic import op
import sqlalchemy as sa

import stockpile.db


revision = '8a4c2f6e1d37'
down_revision = '5d1e7a0c9b21'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=80), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('last_used_at', stockpile.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.alter_column('name', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('last_used_at')
        batch_op.drop_column('name')
