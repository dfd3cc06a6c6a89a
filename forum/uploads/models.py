"""Uploaded files (images, re-encoded, and documents) and the posts that use them."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.models import User
from forum.core.db import UTCDateTime, utcnow
from forum.extensions import Model

NAME_MAX = 120


class UploadKind(enum.StrEnum):
    IMAGE = "image"
    DOCUMENT = "document"


class Upload(Model):
    """One stored file. Images are stored re-encoded (no metadata) with a thumbnail beside them;
    `name` is the cleaned file name shown in its address, with the extension of its real type."""

    __tablename__ = "uploads"
    __table_args__ = (Index("ix_uploads_uploader_id_created_at", "uploader_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    content_type: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    # Where the storage keeps the file and its thumbnail (images only).
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    thumbnail_key: Mapped[str | None] = mapped_column(String(200))
    thumbnail_type: Mapped[str | None] = mapped_column(String(64))
    # Bytes stored (file and thumbnail): what the uploader's quota counts.
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    uploader: Mapped[User] = relationship()
    uses: Mapped[list[UploadUse]] = relationship(
        back_populates="upload", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_image(self) -> bool:
        return self.kind == UploadKind.IMAGE

    def __repr__(self) -> str:
        return f"<Upload {self.id} {self.content_type} {self.name!r}>"


class UploadUse(Model):
    """A post whose body shows or links an upload. Who may open the file follows the threads
    of these posts while they are shown (`is_shown`: not deleted or hidden); `thread_id` is
    copied from the post (a post never changes thread). A use of a deleted post still keeps
    the file from the cleanup, so restoring the post restores its image."""

    __tablename__ = "upload_uses"

    upload_id: Mapped[int] = mapped_column(
        ForeignKey("uploads.id", ondelete="CASCADE"), primary_key=True
    )
    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    is_shown: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    upload: Mapped[Upload] = relationship(back_populates="uses")

    def __repr__(self) -> str:
        return f"<UploadUse upload={self.upload_id} post={self.post_id}>"
