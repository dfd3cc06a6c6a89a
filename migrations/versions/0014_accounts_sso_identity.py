"""accounts: the single sign-on identity (issuer and subject) linked to an account

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 18:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both engines: a batch operation would copy and drop `users`, and on
# SQLite with foreign keys on, dropping it cascades into every table that references a user.


def upgrade():
    op.add_column("users", sa.Column("sso_issuer", sa.String(length=255), nullable=True))
    op.add_column("users", sa.Column("sso_subject", sa.String(length=255), nullable=True))
    op.create_index(
        "ux_users_sso_issuer_sso_subject", "users", ["sso_issuer", "sso_subject"], unique=True
    )


def downgrade():
    op.drop_index("ux_users_sso_issuer_sso_subject", table_name="users")
    op.drop_column("users", "sso_subject")
    op.drop_column("users", "sso_issuer")
