"""Request and response shapes of the uploads API, declared once for validation and OpenAPI."""

from __future__ import annotations

from pydantic import BaseModel, Field

from forum.uploads import services
from forum.uploads.models import Upload


class UploadIn(BaseModel):
    """A multipart/form-data body with the file in the field `file`."""

    file: bytes = Field(description="The file: a PNG, JPEG, WebP or GIF image, or a PDF.")


class UploadOut(BaseModel):
    id: int
    url: str = Field(description="Show it in a post with Markdown: ![description](url).")
    thumbnail_url: str | None = Field(description="A small version of an image; null otherwise.")
    content_type: str
    name: str
    size_bytes: int
    width: int | None
    height: int | None

    @classmethod
    def of(cls, upload: Upload) -> UploadOut:
        return cls(
            id=upload.id,
            url=services.file_path(upload),
            thumbnail_url=services.thumbnail_path(upload),
            content_type=upload.content_type,
            name=upload.name,
            size_bytes=upload.size_bytes,
            width=upload.width,
            height=upload.height,
        )
