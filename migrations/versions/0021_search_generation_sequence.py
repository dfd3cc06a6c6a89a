"""search: a sequence naming the PostgreSQL backend's document generation (result cache)

Every write of search documents bumps it, so a cached result set is reused only while no
document changed (forum.search.models.GENERATION_SEQUENCE). PostgreSQL only: the Whoosh index
names its own generations.

Revision ID: 0021
Revises: 0017
Create Date: 2026-12-04 15:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("CREATE SEQUENCE IF NOT EXISTS search_generation")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP SEQUENCE IF EXISTS search_generation")
