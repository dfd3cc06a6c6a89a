"""boards: version counters for cached page fragments, and indexes for the listings

`threads.version` and `boards.version` are bumped on every change to what a thread's pages or
a board's listings show (forum/boards/services/versions.py); the cached fragments are keyed on
them. The board page's order (pinned, last activity, id) and a board's newest post id are read
straight off new indexes, on SQLite and PostgreSQL.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_index(
            'ix_threads_board_listing',
            ['board_id', 'is_pinned', 'last_activity_at', 'id'],
            unique=False,
        )
        batch_op.create_index(
            'ix_threads_board_id_last_post_id', ['board_id', 'last_post_id'], unique=False
        )
    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('boards', schema=None) as batch_op:
        batch_op.drop_column('version')
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_index('ix_threads_board_id_last_post_id')
        batch_op.drop_index('ix_threads_board_listing')
        batch_op.drop_column('version')
