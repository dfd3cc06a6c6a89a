"""boards: a whole thread can be deleted (and restored by moderators for 30 days)

`deleted_by_id` has no foreign key: SQLite cannot add one to an existing table without
rebuilding it (and with it every table that points at threads).

Revision ID: 0023
Revises: 0021
Create Date: 2026-12-04 16:00:00

"""
import sqlalchemy as sa
from alembic import op

import forum.core.db

# revision identifiers, used by Alembic.
revision = "0023"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        'threads', sa.Column('deleted_at', forum.core.db.UTCDateTime(timezone=True), nullable=True)
    )
    op.add_column('threads', sa.Column('deleted_by_id', sa.Integer(), nullable=True))


def downgrade():
    op.drop_column('threads', 'deleted_by_id')
    op.drop_column('threads', 'deleted_at')
