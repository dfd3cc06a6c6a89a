"""Where uploaded files are kept: one interface, two stores.

`LocalStorage` keeps files under the instance folder (one host); `S3Storage` keeps them in an
S3-compatible bucket through boto3 (several hosts share it). Keys are random, made by the
services; a store only writes, reads and deletes them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Protocol

from flask import Flask, current_app

logger = logging.getLogger(__name__)


class Storage(Protocol):
    def save(self, key: str, data: bytes, content_type: str) -> None: ...

    def read(self, key: str) -> bytes | None:
        """The file's bytes, or None when nothing is stored under `key`."""
        ...

    def delete(self, key: str) -> None:
        """Remove the file; a missing one is not an error."""
        ...


class LocalStorage:
    """Files in a directory on this host, two levels of subdirectories by key."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key.replace("-", "").replace(".", "").isalnum():
            raise ValueError("storage keys are letters, digits, '-' and '.'")
        return self.root / key[:2] / key

    def save(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        partial.replace(path)  # readers never see half a file

    def read(self, key: str) -> bytes | None:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    """Objects in an S3-compatible bucket. boto3 finds credentials where AWS tools do (the
    AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY variables, a profile, an instance role)."""

    def __init__(self, bucket: str, *, endpoint_url: str | None, region: str | None) -> None:
        import boto3

        self.bucket = bucket
        self.client: Any = boto3.client("s3", endpoint_url=endpoint_url, region_name=region)

    def save(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=content_type)

    def read(self, key: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key)
        except self.client.exceptions.NoSuchKey:
            return None
        return bytes(answer["Body"].read())

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)


EXTENSION_KEY = "forum.upload_storage"


def make_storage(app: Flask) -> Storage:
    """The store the configuration names (UPLOAD_STORAGE)."""
    config = app.config
    if config["UPLOAD_STORAGE"] == "s3":
        if not config.get("UPLOAD_S3_BUCKET"):
            raise RuntimeError("UPLOAD_STORAGE=s3 needs UPLOAD_S3_BUCKET")
        return S3Storage(
            config["UPLOAD_S3_BUCKET"],
            endpoint_url=config.get("UPLOAD_S3_ENDPOINT_URL"),
            region=config.get("UPLOAD_S3_REGION"),
        )
    return LocalStorage(config.get("UPLOAD_DIR") or Path(app.instance_path) / "uploads")


def storage() -> Storage:
    """This app's store, made on first use (so starting the app reaches no network)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    store: Storage | None = app.extensions.get(EXTENSION_KEY)
    if store is None:
        store = app.extensions[EXTENSION_KEY] = make_storage(app)
    return store
