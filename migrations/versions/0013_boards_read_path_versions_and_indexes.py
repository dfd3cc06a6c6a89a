"""boards: version counters for cached page fragments, and indexes for the listings

`threads.version` and `boards.version` are bumped on every change to what a thread's pages or
a board's listings show (forum/boards/services/versions.py); the cached fragments are keyed on
them. The board page's order (pinned, last activity, id), a board's newest post id and the
newest `fix` threads (the solution picker) are read straight off new indexes, on SQLite and
PostgreSQL.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 14:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both engines (SQLite has had DROP COLUMN since 3.35): a batch
# operation would copy and drop `threads`, and on SQLite with foreign keys on, dropping it
# cascades into its posts.


def upgrade():
    op.add_column('threads', sa.Column('version', sa.Integer(), server_default='0', nullable=False))
    op.add_column('boards', sa.Column('version', sa.Integer(), server_default='0', nullable=False))
    op.create_index(
        'ix_threads_board_listing',
        'threads',
        ['board_id', 'is_pinned', 'last_activity_at', 'id'],
        unique=False,
    )
    op.create_index(
        'ix_threads_board_id_last_post_id', 'threads', ['board_id', 'last_post_id'], unique=False
    )
    op.create_index(
        'ix_threads_kind_last_activity_at',
        'threads',
        ['kind', 'last_activity_at', 'id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_threads_kind_last_activity_at', table_name='threads')
    op.drop_index('ix_threads_board_id_last_post_id', table_name='threads')
    op.drop_index('ix_threads_board_listing', table_name='threads')
    op.drop_column('boards', 'version')
    op.drop_column('threads', 'version')
