"""search: a thread's tags are words its plain-word search finds (PostgreSQL full-text vector)

On PostgreSQL the generated `search_vector` of `search_documents` is remade so that the tags
(weight B) are analyzed like titles and text ('english', stemmed) and count on thread documents
only: a plain word then finds a thread tagged with it, once, as on the Whoosh index. PostgreSQL
recomputes the column for every existing row, so no rebuild is needed. Other engines hold no
vector: nothing changes there. (The Whoosh index moves to schema version 3 in the code and is
rebuilt on its own the first time it is searched.)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-04 18:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

VECTOR_INDEX = "ix_search_documents_search_vector"
_COLUMN = (
    "ALTER TABLE search_documents ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', CASE WHEN doc_type = 'thread' THEN title ELSE '' END), 'A')"
    " || setweight(to_tsvector({tags}), 'B')"
    " || setweight(to_tsvector('english', text), 'C')) STORED"
)
# As in forum.search.models.POSTGRES_ONLY_DDL after this revision.
NEW_TAGS = "'english', CASE WHEN doc_type = 'thread' THEN tags ELSE '' END"
# As in revision 0016.
OLD_TAGS = "'simple', tags"


def _remake(tags: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {VECTOR_INDEX}")
    op.execute("ALTER TABLE search_documents DROP COLUMN IF EXISTS search_vector")
    op.execute(_COLUMN.format(tags=tags))
    op.execute(f"CREATE INDEX {VECTOR_INDEX} ON search_documents USING gin (search_vector)")


def upgrade():
    _remake(NEW_TAGS)


def downgrade():
    _remake(OLD_TAGS)
