"""accounts: each person may choose the time zone pages show times in

NULL follows the organization's FORUM_TIMEZONE, so existing accounts keep seeing what they
saw (UTC unless the organization sets one).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both engines (SQLite has had DROP COLUMN since 3.35): a batch
# operation would copy and drop `users`, and on SQLite with foreign keys on, dropping it
# cascades into every table that references a user.


def upgrade():
    op.add_column("users", sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade():
    op.drop_column("users", "time_zone")
