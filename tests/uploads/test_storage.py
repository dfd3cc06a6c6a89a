"""Storage: an S3-compatible bucket (a real S3 server, moto, on 127.0.0.1) and local files."""

from __future__ import annotations

import io
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from flask import Flask
from moto.server import ThreadedMotoServer

from tests.factories import make_user
from tests.uploads.images import png

BUCKET = "forum-uploads"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def s3_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A local S3 server with an empty bucket; boto3 reads the credentials from the
    environment, as it would in production."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "forum-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "forum-test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
    yield endpoint
    server.stop()


@pytest.fixture
def app_config(app_config: dict[str, Any], s3_endpoint: str) -> dict[str, Any]:
    return {
        **app_config,
        "UPLOAD_STORAGE": "s3",
        "UPLOAD_S3_BUCKET": BUCKET,
        "UPLOAD_S3_ENDPOINT_URL": s3_endpoint,
    }


def bucket_keys(endpoint: str) -> set[str]:
    listing = boto3.client("s3", endpoint_url=endpoint).list_objects_v2(Bucket=BUCKET)
    return {item["Key"] for item in listing.get("Contents", [])}


def test_uploads_round_trip_through_an_s3_bucket(
    app: Flask, api: Any, s3_endpoint: str, runner: Any
) -> None:
    member = api(make_user())
    original = png(120, 80, "purple")
    response = member.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(original), "chart.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    keys = bucket_keys(s3_endpoint)
    assert len(keys) == 2  # the image and its thumbnail
    image_key = next(key for key in keys if key.endswith(".png"))
    stored = boto3.client("s3", endpoint_url=s3_endpoint).get_object(Bucket=BUCKET, Key=image_key)
    assert stored["ContentType"] == "image/png"
    served = member.get(body["url"])
    assert served.status_code == 200
    assert served.data == stored["Body"].read()
    assert member.get(body["thumbnail_url"]).status_code == 200
    # Nothing is kept on this host.
    assert not (Path(app.instance_path) / "uploads").exists()
    # Cleaning up an unused upload removes it from the bucket.
    app.config["UPLOAD_ORPHAN_HOURS"] = 0
    result = runner.invoke(args=["uploads", "cleanup"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 unused uploads." in result.output
    assert bucket_keys(s3_endpoint) == set()
    assert member.get(body["url"]).status_code == 404
