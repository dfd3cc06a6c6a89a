"""accounts: the used one-click email links (escalation acknowledge and sign-in links)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04 18:30:00

"""
import sqlalchemy as sa
from alembic import op

import forum.core.db

# revision identifiers, used by Alembic.
revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "email_link_uses",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("used_at", forum.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", forum.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_email_link_uses_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_link_uses")),
    )
    op.create_index(
        op.f("ix_email_link_uses_expires_at"), "email_link_uses", ["expires_at"], unique=False
    )
    op.create_index(
        op.f("ix_email_link_uses_user_id"), "email_link_uses", ["user_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_email_link_uses_user_id"), table_name="email_link_uses")
    op.drop_index(op.f("ix_email_link_uses_expires_at"), table_name="email_link_uses")
    op.drop_table("email_link_uses")
