"""google sheets mirror: bindings, row states, sync problems

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:55:19.846406
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sheet_bindings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('schema_name', sa.String(length=64), nullable=False),
    sa.Column('spreadsheet_key', sa.String(length=200), nullable=False),
    sa.Column('worksheet_title', sa.String(length=100), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=True),
    sa.Column('sync_as_id', sa.Integer(), nullable=True),
    sa.Column('conflict_policy', sa.String(length=32), nullable=False),
    sa.Column('removed_rows', sa.String(length=32), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('last_sync_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_status', sa.String(length=32), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_counts', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_sheet_bindings_brand_id_brands'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sync_as_id'], ['users.id'], name=op.f('fk_sheet_bindings_sync_as_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sheet_bindings')),
    sa.UniqueConstraint('brand_id', 'schema_name', name=op.f('uq_sheet_bindings_brand_id_schema_name'))
    )
    op.create_table('sheet_problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('binding_id', sa.Integer(), nullable=False),
    sa.Column('brand_id', sa.Integer(), nullable=False),
    sa.Column('identity', sa.String(length=80), nullable=False),
    sa.Column('record_key', sa.String(length=64), nullable=True),
    sa.Column('row_number', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('sheet_values', sa.JSON(), nullable=False),
    sa.Column('db_values', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=254), nullable=True),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['binding_id'], ['sheet_bindings.id'], name=op.f('fk_sheet_problems_binding_id_sheet_bindings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['brand_id'], ['brands.id'], name=op.f('fk_sheet_problems_brand_id_brands'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sheet_problems'))
    )
    with op.batch_alter_table('sheet_problems', schema=None) as batch_op:
        batch_op.create_index('ix_sheet_problems_binding_status', ['binding_id', 'status'], unique=False)
        batch_op.create_index('ix_sheet_problems_brand_status', ['brand_id', 'status'], unique=False)

    op.create_table('sheet_row_states',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('binding_id', sa.Integer(), nullable=False),
    sa.Column('record_key', sa.String(length=64), nullable=False),
    sa.Column('db_version', sa.String(length=64), nullable=False),
    sa.Column('exported', sa.JSON(), nullable=True),
    sa.Column('values_hash', sa.String(length=64), nullable=True),
    sa.Column('origin_hash', sa.String(length=64), nullable=True),
    sa.Column('removed', sa.Boolean(), nullable=False),
    sa.Column('resolution', sa.String(length=16), nullable=True),
    sa.Column('synced_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['binding_id'], ['sheet_bindings.id'], name=op.f('fk_sheet_row_states_binding_id_sheet_bindings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sheet_row_states')),
    sa.UniqueConstraint('binding_id', 'record_key', name=op.f('uq_sheet_row_states_binding_id_record_key'))
    )


def downgrade() -> None:
    op.drop_table('sheet_row_states')
    with op.batch_alter_table('sheet_problems', schema=None) as batch_op:
        batch_op.drop_index('ix_sheet_problems_brand_status')
        batch_op.drop_index('ix_sheet_problems_binding_status')

    op.drop_table('sheet_problems')
    op.drop_table('sheet_bindings')
