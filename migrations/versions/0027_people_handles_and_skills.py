"""people: a handle per person (their page and @mentions), skills and training

Adds `users.handle`, filled from each address's local part (lower case, anything but letters,
digits, ".", "_" and "-" turned into "-", de-duplicated with -2, -3… in id order), and the
`skills` list with the skills people offer and the training they want (`person_skills`).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 15:50:00

"""

import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def _handle_base(email):
    """The same rule as forum.accounts.services.handles.handle_from_email, frozen here."""
    local = email.split("@", 1)[0].lower()
    cleaned = re.sub(r"[^a-z0-9._-]+", "-", local)
    cleaned = re.sub(r"-{2,}", "-", cleaned)[:56].strip("._-")
    return cleaned or "person"


def upgrade():
    # Plain ALTER TABLE on both engines: a batch operation would copy and drop `users`, and on
    # SQLite with foreign keys on, dropping it cascades into every table that references a user.
    op.add_column("users", sa.Column("handle", sa.String(length=64), nullable=True))
    connection = op.get_bind()
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("email", sa.String),
                     sa.column("handle", sa.String))
    taken = set()
    rows = connection.execute(sa.select(users.c.id, users.c.email).order_by(users.c.id)).all()
    for user_id, email in rows:
        base = _handle_base(email)
        handle, number = base, 2
        while handle in taken:
            handle = f"{base}-{number}"
            number += 1
        taken.add(handle)
        connection.execute(users.update().where(users.c.id == user_id).values(handle=handle))
    op.create_index("ux_users_handle", "users", ["handle"], unique=True)

    op.create_table(
        "skills",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("suggested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["suggested_by_id"], ["users.id"], name=op.f("fk_skills_suggested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skills")),
        sa.UniqueConstraint("name", name=op.f("uq_skills_name")),
    )
    op.create_table(
        "person_skills",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skills.id"], name=op.f("fk_person_skills_skill_id_skills"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_person_skills_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "skill_id", "kind", name=op.f("pk_person_skills")),
    )
    op.create_index(
        "ix_person_skills_skill_id_kind", "person_skills", ["skill_id", "kind"], unique=False
    )


def downgrade():
    op.drop_index("ix_person_skills_skill_id_kind", table_name="person_skills")
    op.drop_table("person_skills")
    op.drop_table("skills")
    op.drop_index("ux_users_handle", table_name="users")
    op.drop_column("users", "handle")
