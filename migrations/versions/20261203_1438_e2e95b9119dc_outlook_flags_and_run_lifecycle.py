"""outlook flags and run lifecycle

Flags are now computed live from the stock and the forecast in force, so the per-run scarcity_flags table gives way
to each item's recorded state (flag_states), its append-only history (flag_events) and acknowledgements that last
(flag_acknowledgements); the open acknowledgements and states of the latest succeeded run are carried over.
Runs are queued and executed by the scheduler: new statuses (queued, cancelled), progress, heartbeat, a log, and one
active run guarded by a unique column instead of the partial index on status.

Revision ID: e2e95b9119dc
Revises: 3af1ab6181cd
Create Date: 2026-12-03 14:38:33.721875
"""
from alembic import op
import sqlalchemy as sa

from stockpile.append_only import create_triggers

import stockpile.db


revision = 'e2e95b9119dc'
down_revision = '3af1ab6181cd'
branch_labels = None
depends_on = None


OLD_RUN_STATUS = sa.Enum('running', 'succeeded', 'failed', name='run_status', native_enum=False,
                         create_constraint=True, length=32)
NEW_RUN_STATUS = sa.Enum('queued', 'running', 'succeeded', 'failed', 'cancelled', name='run_status',
                         native_enum=False, create_constraint=True, length=32)
LEVEL_VALUES = ('none', 'watch', 'warning', 'critical')


def _level(name: str) -> sa.Enum:
    return sa.Enum(*LEVEL_VALUES, name=name, native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    _create_flag_tables()
    _create_run_log()
    _upgrade_runs()
    _carry_over_flags()
    with op.batch_alter_table('scarcity_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scarcity_flags_item_id'))
        batch_op.drop_index(batch_op.f('ix_scarcity_flags_run_item'))
    op.drop_table('scarcity_flags')


def _create_flag_tables() -> None:
    op.create_table('flag_acknowledgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('level', _level('acknowledged_level'), nullable=False),
    sa.Column('stockout_central', sa.Date(), nullable=True),
    sa.Column('horizon_end', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=False),
    sa.Column('at', stockpile.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', stockpile.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_flag_acknowledgements_by_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_flag_acknowledgements_item_id_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flag_acknowledgements'))
    )
    with op.batch_alter_table('flag_acknowledgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flag_acknowledgements_item_id'), ['item_id'], unique=False)
        batch_op.create_index('uq_flag_acknowledgements_open_item', ['item_id'], unique=True,
                              sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))

    op.create_table('flag_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('at', stockpile.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.Enum('new', 'worsened', 'improved', 'resolved', 'acknowledged', 'withdrawn', 'lapsed', name='flag_event_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('level', _level('flag_event_level'), nullable=False),
    sa.Column('previous_level', _level('flag_event_previous_level'), nullable=True),
    sa.Column('stockout_central', sa.Date(), nullable=True),
    sa.Column('stockout_pessimistic', sa.Date(), nullable=True),
    sa.Column('probability_lead', sa.Float(), nullable=False),
    sa.Column('cause', sa.String(length=120), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_flag_events_item_id_items')),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_runs.id'], name=op.f('fk_flag_events_run_id_forecast_runs')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_flag_events_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flag_events'))
    )
    with op.batch_alter_table('flag_events', schema=None) as batch_op:
        batch_op.create_index('ix_flag_events_item_at', ['item_id', 'at'], unique=False)
    create_triggers(op, ('flag_events',))

    op.create_table('flag_states',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('level', _level('flag_level'), nullable=False),
    sa.Column('stockout_central', sa.Date(), nullable=True),
    sa.Column('stockout_pessimistic', sa.Date(), nullable=True),
    sa.Column('probability_lead', sa.Float(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', stockpile.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_flag_states_item_id_items')),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_runs.id'], name=op.f('fk_flag_states_run_id_forecast_runs')),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_flag_states'))
    )


def _create_run_log() -> None:
    op.create_table('forecast_run_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('at', stockpile.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_runs.id'], name=op.f('fk_forecast_run_log_run_id_forecast_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecast_run_log'))
    )
    with op.batch_alter_table('forecast_run_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forecast_run_log_run_id'), ['run_id'], unique=False)


def _upgrade_runs() -> None:
    with op.batch_alter_table('forecast_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('queued_at', stockpile.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('active', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('executor', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('phase', sa.String(length=32), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('series_done', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('series_total', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('heartbeat_at', stockpile.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('estimated_finish_at', stockpile.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancel_requested_at', stockpile.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancel_requested_by_id', sa.Integer(), nullable=True))
        batch_op.drop_index(batch_op.f('uq_forecast_runs_one_running'), sqlite_where=sa.text("status = 'running'"))
    # A run 'running' now has its start as its heartbeat: if no process executes it, the reaper ends it.
    op.execute("UPDATE forecast_runs SET queued_at = started_at, phase = status")
    op.execute("UPDATE forecast_runs SET active = 1, heartbeat_at = started_at WHERE status = 'running'")
    with op.batch_alter_table('forecast_runs', schema=None) as batch_op:
        batch_op.alter_column('queued_at', existing_type=stockpile.db.UTCDateTime(timezone=True), nullable=False)
        batch_op.alter_column('started_at', existing_type=stockpile.db.UTCDateTime(timezone=True), nullable=True)
        batch_op.alter_column('status', existing_type=OLD_RUN_STATUS, type_=NEW_RUN_STATUS,
                              existing_nullable=False)
        batch_op.alter_column('executor', server_default=None)
        batch_op.alter_column('phase', server_default=None)
        batch_op.alter_column('series_done', server_default=None)
        batch_op.alter_column('series_total', server_default=None)
        batch_op.drop_index(batch_op.f('ix_forecast_runs_started_at'))
        batch_op.create_index(batch_op.f('ix_forecast_runs_queued_at'), ['queued_at'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_forecast_runs_active'), ['active'])
        batch_op.create_foreign_key(batch_op.f('fk_forecast_runs_cancel_requested_by_id_users'), 'users', ['cancel_requested_by_id'], ['id'])


def _carry_over_flags() -> None:
    """The latest succeeded run's flags become the recorded states; its acknowledgements become lasting ones."""
    latest = "(SELECT id FROM forecast_runs WHERE status = 'succeeded' ORDER BY queued_at DESC, id DESC LIMIT 1)"
    op.execute(f"""
        INSERT INTO flag_states (item_id, level, stockout_central, stockout_pessimistic, probability_lead, run_id,
                                 changed_at)
        SELECT f.item_id, f.level, f.stockout_central, f.stockout_pessimistic, f.stockout_probability, f.run_id,
               r.finished_at
        FROM scarcity_flags f JOIN forecast_runs r ON r.id = f.run_id WHERE f.run_id = {latest}""")
    op.execute(f"""
        INSERT INTO flag_acknowledgements (item_id, level, stockout_central, horizon_end, note, by_id, at, end_reason)
        SELECT f.item_id, f.level, f.stockout_central, r.history_end, f.acknowledgement_note, f.acknowledged_by_id,
               f.acknowledged_at, ''
        FROM scarcity_flags f JOIN forecast_runs r ON r.id = f.run_id
        WHERE f.run_id = {latest} AND f.acknowledged_at IS NOT NULL AND f.acknowledged_by_id IS NOT NULL
              AND f.level <> 'none'""")
    # horizon_end: the day after the run's horizon, from its history end (SQL date arithmetic differs by dialect).
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE flag_acknowledgements a SET horizon_end = r.history_end + r.horizon_days + 1 "
                   "FROM forecast_runs r JOIN flag_states s ON s.run_id = r.id WHERE s.item_id = a.item_id")
    else:
        op.execute("UPDATE flag_acknowledgements SET horizon_end = (SELECT date(r.history_end, '+' || "
                   "(r.horizon_days + 1) || ' days') FROM forecast_runs r JOIN flag_states s ON s.run_id = r.id "
                   "WHERE s.item_id = flag_acknowledgements.item_id)")


def downgrade() -> None:
    """Back to per-run flags: the history and acknowledgements are dropped (the next run writes new flags)."""
    op.execute("UPDATE forecast_runs SET status = 'failed', error_summary = 'cancelled or never started' "
               "WHERE status IN ('queued', 'cancelled')")
    op.execute("UPDATE forecast_runs SET started_at = queued_at WHERE started_at IS NULL")
    with op.batch_alter_table('forecast_runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_forecast_runs_cancel_requested_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_forecast_runs_active'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_forecast_runs_queued_at'))
        batch_op.alter_column('status', existing_type=NEW_RUN_STATUS, type_=OLD_RUN_STATUS, existing_nullable=False)
        batch_op.create_index(batch_op.f('ix_forecast_runs_started_at'), ['started_at'], unique=False)
        batch_op.alter_column('started_at', existing_type=stockpile.db.UTCDateTime(timezone=True), nullable=False)
        for column in ('cancel_requested_by_id', 'cancel_requested_at', 'estimated_finish_at', 'heartbeat_at',
                       'series_total', 'series_done', 'phase', 'executor', 'active', 'queued_at'):
            batch_op.drop_column(column)
    with op.batch_alter_table('forecast_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('uq_forecast_runs_one_running'), ['status'], unique=True,
                              sqlite_where=sa.text("status = 'running'"), postgresql_where=sa.text("status = 'running'"))

    op.create_table('scarcity_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('level', _level('flag_level'), nullable=False),
    sa.Column('change', sa.Enum('new', 'worsened', 'improved', 'resolved', 'unchanged', name='flag_change', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('previous_level', _level('previous_flag_level'), nullable=True),
    sa.Column('usable_stock', sa.Integer(), nullable=False),
    sa.Column('mean_daily_forecast', sa.Float(), nullable=False),
    sa.Column('days_of_supply', sa.Float(), nullable=True),
    sa.Column('stockout_central', sa.Date(), nullable=True),
    sa.Column('stockout_pessimistic', sa.Date(), nullable=True),
    sa.Column('below_safety', sa.Date(), nullable=True),
    sa.Column('stockout_probability', sa.Float(), nullable=False),
    sa.Column('lead_time_days', sa.Integer(), nullable=False),
    sa.Column('safety_stock_days', sa.Integer(), nullable=False),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.Column('acknowledged_at', stockpile.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledgement_note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_scarcity_flags_acknowledged_by_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_scarcity_flags_item_id_items')),
    sa.ForeignKeyConstraint(['run_id'], ['forecast_runs.id'], name=op.f('fk_scarcity_flags_run_id_forecast_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scarcity_flags'))
    )
    with op.batch_alter_table('scarcity_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scarcity_flags_run_item'), ['run_id', 'item_id'], unique=True)
        batch_op.create_index(batch_op.f('ix_scarcity_flags_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('forecast_run_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forecast_run_log_run_id'))
    op.drop_table('forecast_run_log')
    op.drop_table('flag_states')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS flag_events_append_only ON flag_events")
    with op.batch_alter_table('flag_events', schema=None) as batch_op:
        batch_op.drop_index('ix_flag_events_item_at')
    op.drop_table('flag_events')
    with op.batch_alter_table('flag_acknowledgements', schema=None) as batch_op:
        batch_op.drop_index('uq_flag_acknowledgements_open_item', sqlite_where=sa.text('ended_at IS NULL'),
                            postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_flag_acknowledgements_item_id'))
    op.drop_table('flag_acknowledgements')
