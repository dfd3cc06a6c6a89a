"""The upload settings; `Config` (forum/config.py) inherits them, so they load and layer like
every other setting. They live apart only to keep forum/config.py under the 400-line limit."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode

# Document types an upload may be, besides images: checked by their first bytes.
KNOWN_DOCUMENT_TYPES = ("pdf",)


class UploadSettings(BaseSettings):
    """Where uploads are kept and how large they may be."""

    # "local": files under UPLOAD_DIR on this host. "s3": an S3-compatible bucket (several hosts;
    # credentials from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables).
    UPLOAD_STORAGE: Literal["local", "s3"] = "local"
    # Directory of local uploads; default instance/uploads.
    UPLOAD_DIR: str | None = None
    UPLOAD_S3_BUCKET: str | None = None
    # The S3 endpoint (MinIO, Ceph, a cloud's S3 API); unset: AWS itself.
    UPLOAD_S3_ENDPOINT_URL: str | None = None
    UPLOAD_S3_REGION: str | None = None
    # Largest file, in bytes, and largest image, in pixels (width times height).
    UPLOAD_MAX_BYTES: int = 10 * 1024 * 1024
    UPLOAD_MAX_PIXELS: int = 40_000_000
    # Bytes one person may keep stored in all; 0: no limit.
    UPLOAD_QUOTA_BYTES: int = 500 * 1024 * 1024
    # Document types accepted besides PNG, JPEG, WebP and GIF images (empty: images only).
    UPLOAD_DOCUMENT_TYPES: Annotated[list[str], NoDecode] = ["pdf"]
    # Hours an upload may stay unused in any post before the cleanup job deletes it.
    UPLOAD_ORPHAN_HOURS: float = 24.0
    # Longest side of a thumbnail, in pixels.
    UPLOAD_THUMBNAIL_SIZE: int = 400
    UPLOAD_RATE_LIMIT: str = "30 per minute; 300 per day"

    @field_validator("UPLOAD_DOCUMENT_TYPES", mode="before")
    @classmethod
    def _split_types(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @field_validator("UPLOAD_DOCUMENT_TYPES")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(KNOWN_DOCUMENT_TYPES))
        if unknown:
            raise ValueError(f"unknown document types; use {', '.join(KNOWN_DOCUMENT_TYPES)}")
        return value
