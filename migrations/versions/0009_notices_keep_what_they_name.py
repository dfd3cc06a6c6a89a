"""notices keep what they name; registry history keeps thread ids only

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 08:00:00

Notifications get `refs` ("thread:12"), checked again whenever a notice is shown, digested or
emailed; existing notices get the thread their link points at (a thread, a post or an
escalation page). Registry history rows about linked threads stop storing the thread's title
(it was shown to every member, department-only threads included): "#13 Title" becomes "#13",
and the title is looked up for each reader when the history is shown. Downgrade leaves the
history as "#13": the titles are not put back.
"""

import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_THREAD_ID = re.compile(r"^#(\d+)")
_LINK = re.compile(r"^/(t|p|escalations)/(\d+)")


def upgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("refs", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    _backfill_refs()
    changes = sa.table(
        "profile_changes",
        sa.column("id", sa.Integer),
        sa.column("field", sa.String),
        sa.column("before", sa.Text),
        sa.column("after", sa.Text),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(changes.c.id, changes.c.before, changes.c.after).where(
            changes.c.field.in_(["thread_linked", "thread_unlinked"])
        )
    ).all()
    for row_id, before, after in rows:
        values = {}
        for name, value in (("before", before), ("after", after)):
            match = _THREAD_ID.match(value or "")
            if match and value != match.group(0):
                values[name] = match.group(0)
        if values:
            connection.execute(changes.update().where(changes.c.id == row_id).values(**values))


def _backfill_refs():
    """Existing notices name the thread their link points at: keep that as their ref."""
    connection = op.get_bind()
    notifications = sa.table(
        "notifications",
        sa.column("id", sa.Integer),
        sa.column("url", sa.String),
        sa.column("refs", sa.JSON),
    )
    posts = sa.table("posts", sa.column("id", sa.Integer), sa.column("thread_id", sa.Integer))
    escalations = sa.table(
        "escalations", sa.column("id", sa.Integer), sa.column("thread_id", sa.Integer)
    )
    owners = {"p": posts, "escalations": escalations}
    rows = connection.execute(sa.select(notifications.c.id, notifications.c.url)).all()
    for row_id, url in rows:
        match = _LINK.match(url or "")
        if match is None:
            continue
        kind, object_id = match.group(1), int(match.group(2))
        if kind == "t":
            thread_id = object_id
        else:
            table = owners[kind]
            thread_id = connection.execute(
                sa.select(table.c.thread_id).where(table.c.id == object_id)
            ).scalar()
        if thread_id is not None:
            connection.execute(
                notifications.update()
                .where(notifications.c.id == row_id)
                .values(refs=[f"thread:{thread_id}"])
            )


def downgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("refs")
