"""forecast selections: the method chosen per series by its backtest, apart from the nightly refit; cumulative
bands on forecast points

Revision ID: a7d3c1e5b9f2
Revises: 7c1e5a9d3b42
Create Date: 2026-12-03 19:30:00.000000
"""
from alembic import op
import sqlalchemy as sa

import stockpile.db


revision = 'a7d3c1e5b9f2'
down_revision = '7c1e5a9d3b42'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('forecast_selections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('chosen_at', stockpile.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('history_end', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('params', sa.String(length=64), nullable=False),
    sa.Column('mase', sa.Float(), nullable=True),
    sa.Column('seasonal_naive_mase', sa.Float(), nullable=True),
    sa.Column('why', sa.String(length=32), nullable=False),
    sa.Column('daily_low', sa.Float(), nullable=True),
    sa.Column('daily_high', sa.Float(), nullable=True),
    sa.Column('cum_power', sa.Float(), nullable=True),
    sa.Column('cum_low', sa.Float(), nullable=True),
    sa.Column('cum_high', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_forecast_selections_item_id_items')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_forecast_selections_region_id_regions')),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_runs.id'], name=op.f('fk_forecast_selections_run_id_forecast_runs'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecast_selections'))
    )
    with op.batch_alter_table('forecast_selections', schema=None) as batch_op:
        batch_op.create_index('ix_forecast_selections_series', ['item_id', 'region_id', 'id'], unique=False)

    with op.batch_alter_table('forecast_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cum_lower', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('cum_upper', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('forecast_points', schema=None) as batch_op:
        batch_op.drop_column('cum_upper')
        batch_op.drop_column('cum_lower')

    with op.batch_alter_table('forecast_selections', schema=None) as batch_op:
        batch_op.drop_index('ix_forecast_selections_series')

    op.drop_table('forecast_selections')
