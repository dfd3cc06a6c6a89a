"""uploads: stored files and the posts that use them

`uploads` holds one row per stored file (images re-encoded, with a thumbnail; documents as
sent); `upload_uses` records which posts show or link it, so the file is visible exactly where
those posts are, and a file no post uses can be cleaned up.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-04 16:00:00

"""
import sqlalchemy as sa
from alembic import op

import forum.core.db

# revision identifiers, used by Alembic.
revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uploader_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("thumbnail_key", sa.String(length=200), nullable=True),
        sa.Column("thumbnail_type", sa.String(length=64), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=True),
        sa.Column("height", sa.Integer(), nullable=True),
        sa.Column("created_at", forum.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploader_id"],
            ["users.id"],
            name=op.f("fk_uploads_uploader_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_uploads_storage_key")),
    )
    op.create_index(
        "ix_uploads_uploader_id_created_at", "uploads", ["uploader_id", "created_at"], unique=False
    )
    op.create_table(
        "upload_uses",
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("is_shown", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"], ["posts.id"], name=op.f("fk_upload_uses_post_id_posts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["threads.id"],
            name=op.f("fk_upload_uses_thread_id_threads"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["uploads.id"],
            name=op.f("fk_upload_uses_upload_id_uploads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("upload_id", "post_id", name=op.f("pk_upload_uses")),
    )
    op.create_index(
        op.f("ix_upload_uses_post_id"), "upload_uses", ["post_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_upload_uses_post_id"), table_name="upload_uses")
    op.drop_table("upload_uses")
    op.drop_index("ix_uploads_uploader_id_created_at", table_name="uploads")
    op.drop_table("uploads")
