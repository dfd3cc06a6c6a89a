"""boards: threads merged into another redirect there; revisions can record moderators' changes

`threads.merged_into_id` has no foreign key: SQLite cannot add one to an existing table
without rebuilding it.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 16:05:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('threads', sa.Column('merged_into_id', sa.Integer(), nullable=True))
    op.add_column('post_revisions', sa.Column('note', sa.String(length=300), nullable=True))


def downgrade():
    op.drop_column('post_revisions', 'note')
    op.drop_column('threads', 'merged_into_id')
