"""strategy layer: audience segments, pillars per campaign, an objective's KPI and target, a campaign's
markets and channels, and archiving for objectives, pillars and campaigns

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 20:09:31

SQLite: columns are added and dropped in place (ALTER TABLE ADD/DROP COLUMN), never by copying the
table, because the copy's DROP TABLE runs the ON DELETE actions of every row pointing at it (with
foreign keys on, dropping `campaigns` would empty the posts' campaign and delete campaign approval
flows). Only `objectives.kpi_metric_key` needs a copy of its table (SQLite adds or drops a foreign key only
that way); the one reference to objectives (campaigns.objective_id) is put back after it.
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KPI_FK = 'fk_objectives_kpi_metric_key_metric_definitions'


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _copying_objectives(change: Callable[[BatchOperations], None]) -> None:
    """Apply `change` to a copy of objectives (SQLite), keeping the campaigns' links to them."""
    bind = op.get_bind()
    links = bind.execute(sa.text('SELECT id, objective_id FROM campaigns WHERE objective_id IS NOT NULL')).all()
    with op.batch_alter_table('objectives', schema=None, recreate='always') as batch_op:
        change(batch_op)
    for campaign_id, objective_id in links:
        bind.execute(
            sa.text('UPDATE campaigns SET objective_id = :o WHERE id = :c'), {'o': objective_id, 'c': campaign_id}
        )


def _add_kpi(batch_op: BatchOperations) -> None:
    batch_op.add_column(sa.Column('kpi_metric_key', sa.String(length=64), nullable=True))
    batch_op.create_foreign_key(_KPI_FK, 'metric_definitions', ['kpi_metric_key'], ['key'], onupdate='CASCADE')


def _drop_kpi(batch_op: BatchOperations) -> None:
    batch_op.drop_constraint(_KPI_FK, type_='foreignkey')
    batch_op.drop_column('kpi_metric_key')


def upgrade() -> None:
    op.create_table('audience_segments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('markets', sa.JSON(), server_default='[]', nullable=False),
    sa.Column('platforms', sa.JSON(), server_default='[]', nullable=False),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_audience_segments_brand_id_brands'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audience_segments')),
    sa.UniqueConstraint('brand_id', 'name', name=op.f('uq_audience_segments_brand_id_name'))
    )
    op.create_table('campaign_pillars',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('pillar_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_pillars_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pillar_id'], ['content_pillars.id'], name=op.f('fk_campaign_pillars_pillar_id_content_pillars'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'pillar_id', name=op.f('pk_campaign_pillars'))
    )
    op.add_column('campaigns', sa.Column('markets', sa.JSON(), server_default='[]', nullable=False))
    op.add_column('campaigns', sa.Column('channel_ids', sa.JSON(), server_default='[]', nullable=False))
    op.add_column('campaigns', sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('content_pillars', sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('objectives', sa.Column('target_value', sa.Numeric(precision=18, scale=4), nullable=True))
    op.add_column('objectives', sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
    if _sqlite():
        _copying_objectives(_add_kpi)
    else:
        op.add_column('objectives', sa.Column('kpi_metric_key', sa.String(length=64), nullable=True))
        op.create_foreign_key(_KPI_FK, 'objectives', 'metric_definitions', ['kpi_metric_key'], ['key'], onupdate='CASCADE')


def downgrade() -> None:
    if _sqlite():
        _copying_objectives(_drop_kpi)
    else:
        op.drop_constraint(_KPI_FK, 'objectives', type_='foreignkey')
        op.drop_column('objectives', 'kpi_metric_key')
    op.drop_column('objectives', 'archived_at')
    op.drop_column('objectives', 'target_value')
    op.drop_column('content_pillars', 'archived_at')
    op.drop_column('campaigns', 'archived_at')
    op.drop_column('campaigns', 'channel_ids')
    op.drop_column('campaigns', 'markets')
    op.drop_table('campaign_pillars')
    op.drop_table('audience_segments')
