"""boards: drafts of replies and new threads, one per person and form

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04 17:15:00

"""
import sqlalchemy as sa
from alembic import op

import forum.core.db

# revision identifiers, used by Alembic.
revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=True),
        sa.Column('tags', sa.String(length=400), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated_at', forum.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'], ['users.id'], name=op.f('fk_drafts_user_id_users'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_drafts')),
        sa.UniqueConstraint('user_id', 'key', name=op.f('uq_drafts_user_id')),
    )
    op.create_index(op.f('ix_drafts_user_id'), 'drafts', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_drafts_user_id'), table_name='drafts')
    op.drop_table('drafts')
