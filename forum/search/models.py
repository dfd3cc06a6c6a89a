"""The search queue: index changes recorded in the writer's transaction, applied after commit."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from forum.core.db import UTCDateTime, utcnow
from forum.extensions import Model


class SearchDocType(enum.StrEnum):
    """What a queued change is about: a whole thread (its own document and every reply's) or
    one post."""

    THREAD = "thread"
    POST = "post"


class SearchAction(enum.StrEnum):
    # Make the index match the database for this document (add, update, or remove it when it is
    # gone, deleted or hidden).
    INDEX = "index"
    # Remove the document whatever the database says.
    DELETE = "delete"


class SearchQueueItem(Model):
    """One pending index change. Rows are added in the same transaction as the change they
    describe, so they commit or roll back with it, and are deleted only after the index
    commit that applied them succeeded."""

    __tablename__ = "search_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[SearchDocType] = mapped_column(String(20))
    doc_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[SearchAction] = mapped_column(String(20), default=SearchAction.INDEX)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<SearchQueueItem {self.id} {self.action} {self.doc_type}:{self.doc_id}>"
