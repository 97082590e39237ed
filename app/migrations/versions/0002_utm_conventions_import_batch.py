"""brand UTM conventions and the import batch of a post

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 10:48:10.383493
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('brands', schema=None) as batch_op:
        batch_op.add_column(sa.Column('utm_conventions', sa.JSON(), server_default='{}', nullable=False))

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('import_batch', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_posts_import_batch'), ['import_batch'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posts_import_batch'))
        batch_op.drop_column('import_batch')

    with op.batch_alter_table('brands', schema=None) as batch_op:
        batch_op.drop_column('utm_conventions')

