"""boards: index for the activity page's order (pinned threads first, then by activity)

The activity page lists pinned threads first on every board the reader sees, then the rest by
last activity; `ix_threads_activity` (is_pinned, last_activity_at, id) lets SQLite and
PostgreSQL read the first page straight off the index instead of sorting every thread.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 18:20:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_threads_activity', 'threads', ['is_pinned', 'last_activity_at', 'id'], unique=False
    )


def downgrade():
    op.drop_index('ix_threads_activity', table_name='threads')
