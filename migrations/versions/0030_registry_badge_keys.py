"""registry: a random badge key per profile, for its public "Verified by" page

`social_profiles.badge_key` names the profile's badge page (/verify/<badge_key>). Existing rows
get a fresh random key here; new rows get one from the model's default. The column stays
nullable so SQLite needs no table rebuild; a unique index keeps the keys apart.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 18:40:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('social_profiles', sa.Column('badge_key', sa.String(length=32), nullable=True))
    connection = op.get_bind()
    profiles = sa.table('social_profiles', sa.column('id', sa.Integer), sa.column('badge_key'))
    ids = connection.execute(sa.select(profiles.c.id)).scalars().all()
    for profile_id in ids:
        connection.execute(
            profiles.update()
            .where(profiles.c.id == profile_id)
            .values(badge_key=secrets.token_urlsafe(12))
        )
    op.create_index(
        op.f('ix_social_profiles_badge_key'), 'social_profiles', ['badge_key'], unique=True
    )


def downgrade():
    op.drop_index(op.f('ix_social_profiles_badge_key'), table_name='social_profiles')
    # Plain DROP COLUMN (SQLite 3.35+): a batch rebuild of this table would cascade-delete
    # its history and reviews through their foreign keys.
    op.drop_column('social_profiles', 'badge_key')
