"""metric rollups: weekly and monthly channel rollups, and the dirty-day marks triggers keep

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 14:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_METRICS = (
    'followers', 'follower_growth', 'impressions', 'reach', 'engagements', 'likes', 'comments', 'shares',
    'saves', 'clicks', 'video_views', 'posts_published', 'mentions',
)

# Every write to channel_daily_metrics marks its channel-day dirty, whoever writes it. A mark already there
# has its version raised, so a refresh that read the older version leaves the newer mark in place.
_MARK = (
    "INSERT INTO rollup_dirty_days (channel_id, date, brand_id, version) VALUES ({r}.channel_id, {r}.date, "
    "{r}.brand_id, 1) ON CONFLICT (channel_id, date) DO UPDATE SET version = rollup_dirty_days.version + 1"
)
_SQLITE_TRIGGERS = {
    'trg_channel_daily_metrics_ins': f"AFTER INSERT ON channel_daily_metrics BEGIN {_MARK.format(r='NEW')}; END",
    'trg_channel_daily_metrics_upd': (
        f"AFTER UPDATE ON channel_daily_metrics BEGIN {_MARK.format(r='OLD')}; {_MARK.format(r='NEW')}; END"
    ),
    'trg_channel_daily_metrics_del': f"AFTER DELETE ON channel_daily_metrics BEGIN {_MARK.format(r='OLD')}; END",
}
# PostgreSQL: statement-level triggers over the transition tables, so a COPY of a million rows marks them
# in one set-based statement instead of a million function calls.
_PG_MARK_SET = (
    "INSERT INTO rollup_dirty_days (channel_id, date, brand_id, version) "
    "SELECT DISTINCT ON (channel_id, date) channel_id, date, brand_id, 1 FROM {t} "
    "ON CONFLICT (channel_id, date) DO UPDATE SET version = rollup_dirty_days.version + 1"
)
_PG_FUNCTIONS = {
    'mark_rollup_dirty_ins': _PG_MARK_SET.format(t='new_rows'),
    'mark_rollup_dirty_del': _PG_MARK_SET.format(t='old_rows'),
    'mark_rollup_dirty_upd': (
        "INSERT INTO rollup_dirty_days (channel_id, date, brand_id, version) "
        "SELECT DISTINCT ON (channel_id, date) channel_id, date, brand_id, 1 FROM "
        "(SELECT channel_id, date, brand_id FROM new_rows UNION ALL SELECT channel_id, date, brand_id FROM old_rows) r "
        "ON CONFLICT (channel_id, date) DO UPDATE SET version = rollup_dirty_days.version + 1"
    ),
}
_PG_TRIGGERS = {
    'trg_channel_daily_metrics_ins': ('INSERT', 'NEW TABLE AS new_rows', 'mark_rollup_dirty_ins'),
    'trg_channel_daily_metrics_upd': ('UPDATE', 'NEW TABLE AS new_rows OLD TABLE AS old_rows', 'mark_rollup_dirty_upd'),
    'trg_channel_daily_metrics_del': ('DELETE', 'OLD TABLE AS old_rows', 'mark_rollup_dirty_del'),
}


def upgrade() -> None:
    op.create_table('metric_rollups',
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('grain', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    *[sa.Column(m, sa.BigInteger(), nullable=True) for m in _METRICS],
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_metric_rollups_brand_id_brands'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['channel_id'], ['channels.id'], name=op.f('fk_metric_rollups_channel_id_channels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('channel_id', 'grain', 'period_start', name=op.f('pk_metric_rollups'))
    )
    with op.batch_alter_table('metric_rollups', schema=None) as batch_op:
        batch_op.create_index('ix_metric_rollups_brand_grain_period', ['brand_id', 'grain', 'period_start'], unique=False)

    op.create_table('rollup_dirty_days',
    sa.Column('channel_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('channel_id', 'date', name=op.f('pk_rollup_dirty_days'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        for name, body in _PG_FUNCTIONS.items():
            op.execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body}; RETURN NULL; END $$"
            )
        for name, (event, tables, func) in _PG_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON channel_daily_metrics REFERENCING {tables} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {func}()"
            )
    else:
        for name, body in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    # Data already there is rolled up by the next refresh.
    op.execute(
        "INSERT INTO rollup_dirty_days (channel_id, date, brand_id, version) "
        "SELECT channel_id, date, brand_id, 1 FROM channel_daily_metrics"
    )


def downgrade() -> None:
    for name in _SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON channel_daily_metrics" if op.get_bind().dialect.name == 'postgresql' else ""))
    if op.get_bind().dialect.name == 'postgresql':
        for name in _PG_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table('rollup_dirty_days')
    with op.batch_alter_table('metric_rollups', schema=None) as batch_op:
        batch_op.drop_index('ix_metric_rollups_brand_grain_period')

    op.drop_table('metric_rollups')
