"""Drafts: what someone was writing in a reply or a new thread, kept in the database so it
follows them to another device. One per person and form: `thread:<id>` for a reply,
`board:<id>` for a new thread on that board. The forms restore a draft when they open empty and
drop it once the post is saved; static/js/drafts.js saves as people type, and the forms' "Save
draft" button does the same without JavaScript."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from forum.boards.models import BODY_MAX, TITLE_MAX
from forum.boards.services.validation import dialect_insert
from forum.core.db import UTCDateTime, utcnow
from forum.core.errors import Invalid
from forum.extensions import Model, db

KIND_MAX = 20
TAGS_MAX = 400


class Draft(Model):
    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str | None] = mapped_column(String(TITLE_MAX))
    kind: Mapped[str | None] = mapped_column(String(KIND_MAX))
    tags: Mapped[str | None] = mapped_column(String(TAGS_MAX))
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


def reply_key(thread_id: int) -> str:
    return f"thread:{thread_id}"


def thread_key(board_id: int) -> str:
    return f"board:{board_id}"


def get(user_id: int, key: str) -> Draft | None:
    return db.session.scalar(select(Draft).where(Draft.user_id == user_id, Draft.key == key))


def save(
    user_id: int,
    key: str,
    *,
    body: str,
    title: str | None = None,
    kind: str | None = None,
    tags: str | None = None,
) -> None:
    """Keep (or replace) the person's draft for `key`; an empty one is dropped. Invalid when
    a part is longer than the form would take."""
    body = body or ""
    if len(body) > BODY_MAX:
        raise Invalid(fields={"body": f"A draft holds at most {BODY_MAX:,} characters."})
    if (
        (title and len(title) > TITLE_MAX)
        or (kind and len(kind) > KIND_MAX)
        or (tags and len(tags) > TAGS_MAX)
    ):
        raise Invalid(fields={"title": "The draft's title, kind or tags are too long."})
    if not (body.strip() or (title or "").strip()):
        clear(user_id, key)
        return
    values = {"body": body, "title": title or None, "kind": kind or None, "tags": tags or None}
    statement = dialect_insert(Draft).values(
        user_id=user_id, key=key, updated_at=utcnow(), **values
    )
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "key"], set_={**values, "updated_at": utcnow()}
        )
    )


def clear(user_id: int, key: str) -> None:
    db.session.execute(delete(Draft).where(Draft.user_id == user_id, Draft.key == key))
