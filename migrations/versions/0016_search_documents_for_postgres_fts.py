"""search: documents table for SEARCH_BACKEND=postgres (tsvector and GIN index on PostgreSQL)

The plain table is created on every engine, so the schema matches the models everywhere; its
generated `search_vector` column and GIN index only on PostgreSQL (forum.search.models), the one
engine the PostgreSQL backend runs on. Fill it with `flask --app wsgi search rebuild` after
switching SEARCH_BACKEND to postgres.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 18:20:00

"""
import sqlalchemy as sa
from alembic import op

import forum.core.db

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

VECTOR_INDEX = 'ix_search_documents_search_vector'
# As in forum.search.models.POSTGRES_ONLY_DDL when this revision was written.
POSTGRES_ONLY_DDL = (
    "ALTER TABLE search_documents ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', CASE WHEN doc_type = 'thread' THEN title ELSE '' END), 'A')"
    " || setweight(to_tsvector('simple', tags), 'B')"
    " || setweight(to_tsvector('english', text), 'C')) STORED",
    f"CREATE INDEX {VECTOR_INDEX} ON search_documents USING gin (search_vector)",
)


def upgrade():
    op.create_table(
        'search_documents',
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('doc_type', sa.String(length=20), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=False),
        sa.Column('board_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('tags', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('author_terms', sa.Text(), nullable=False),
        sa.Column('author_name', sa.Text(), nullable=False),
        sa.Column('created_at', forum.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_search_documents')),
    )
    op.create_index(
        op.f('ix_search_documents_created_at'), 'search_documents', ['created_at'], unique=False
    )
    op.create_index(
        op.f('ix_search_documents_thread_id'), 'search_documents', ['thread_id'], unique=False
    )
    if op.get_bind().dialect.name == 'postgresql':
        for statement in POSTGRES_ONLY_DDL:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP INDEX IF EXISTS {VECTOR_INDEX}')
    op.drop_index(op.f('ix_search_documents_thread_id'), table_name='search_documents')
    op.drop_index(op.f('ix_search_documents_created_at'), table_name='search_documents')
    op.drop_table('search_documents')
