"""Request throttles: API writes are limited per token, shareable through Redis, and switchable off."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from forum.accounts import services
from forum.accounts.models import Role
from forum.extensions import db, limiter
from tests.conftest import base_config
from tests.factories import make_user

REDIS_URL = "redis://127.0.0.1:6379"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "API_WRITE_RATE_LIMIT": "3 per minute"}


def _create_departments(client: Any, secret: str, count: int, prefix: str) -> list[int]:
    headers = {"Authorization": f"Bearer {secret}"}
    return [
        client.post(
            "/api/v1/departments", json={"slug": f"{prefix}-{n}", "name": "D"}, headers=headers
        ).status_code
        for n in range(count)
    ]


def test_api_writes_are_throttled_with_a_json_429(app: Flask) -> None:
    admin = make_user(Role.ADMIN)
    _token, secret = services.create_api_token(admin, "t")
    db.session.commit()
    statuses = _create_departments(app.test_client(), secret, 5, "a")
    assert statuses == [201, 201, 201, 429, 429]
    response = app.test_client().post(
        "/api/v1/departments",
        json={"slug": "z", "name": "Z"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert response.headers["Retry-After"]
    # Reads are not throttled by the write limit.
    for _ in range(5):
        assert (
            app.test_client()
            .get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
            .status_code
            == 200
        )


def test_throttles_can_be_switched_off(app: Flask) -> None:
    app.config["RATELIMIT_ENABLED"] = False
    limiter.enabled = False
    try:
        admin = make_user(Role.ADMIN)
        _token, secret = services.create_api_token(admin, "t")
        db.session.commit()
        assert set(_create_departments(app.test_client(), secret, 6, "b")) == {201}
    finally:
        limiter.enabled = True


def test_redis_storage_shares_the_count_between_hosts(
    app: Flask, database_url: str, tmp_path: Path, extra_app: Callable[..., Flask]
) -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis is expected at 127.0.0.1:6379 for this test")
    admin = make_user(Role.ADMIN)
    _token, secret = services.create_api_token(admin, "t")
    db.session.commit()
    # Two app instances stand for two hosts; the unique prefix keeps runs apart.
    config = {
        **base_config(database_url, tmp_path),
        "API_WRITE_RATE_LIMIT": "3 per minute",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": f"forum-test-{uuid.uuid4().hex}",
    }
    host_a, host_b = extra_app(config), extra_app(config)
    statuses = _create_departments(host_a.test_client(), secret, 2, "c")
    statuses += _create_departments(host_b.test_client(), secret, 2, "d")
    assert statuses == [201, 201, 201, 429]


def test_database_storage_shares_the_count_between_workers(
    app: Flask, database_url: str, tmp_path: Path, extra_app: Callable[..., Flask]
) -> None:
    """The default storage (forumdb://): counters in the app's database, seen by every process."""
    admin = make_user(Role.ADMIN)
    _token, secret = services.create_api_token(admin, "t")
    db.session.commit()
    config = {
        **base_config(database_url, tmp_path),
        "API_WRITE_RATE_LIMIT": "3 per minute",
        "RATELIMIT_STORAGE_URI": "forumdb://",
        "RATELIMIT_KEY_PREFIX": f"forum-test-{uuid.uuid4().hex}",
    }
    worker_a, worker_b = extra_app(config), extra_app(config)
    statuses = _create_departments(worker_a.test_client(), secret, 2, "e")
    statuses += _create_departments(worker_b.test_client(), secret, 2, "f")
    assert statuses == [201, 201, 201, 429]


def test_database_storage_counts_windows(app: Flask, database_url: str) -> None:
    from forum.core.ratelimit import DatabaseStorage

    storage = DatabaseStorage("forumdb://", database_url=database_url)
    key = f"test-{uuid.uuid4().hex}"
    assert storage.get(key) == 0
    assert [storage.incr(key, 60) for _ in range(3)] == [1, 2, 3]
    assert storage.get(key) == 3
    assert storage.get_expiry(key) > 0
    expired = f"test-{uuid.uuid4().hex}"
    storage.incr(expired, -1)  # a window that has already ended starts again at 1
    assert storage.get(expired) == 0
    assert storage.incr(expired, 60) == 1
    storage.clear(key)
    assert storage.get(key) == 0
    assert storage.check()
    storage.engine.dispose()


def test_default_install_uses_the_database_storage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from forum.config import load_config
    from forum.core.ratelimit import DatabaseStorage

    for name in ("DATABASE_URL", "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)
    settings = load_config(str(tmp_path), {"SECRET_KEY": "s"})
    assert settings["RATELIMIT_STORAGE_URI"].startswith("forumdb://sqlite%3A%2F%2F%2F")
    storage = DatabaseStorage(settings["RATELIMIT_STORAGE_URI"])
    assert str(storage.engine.url) == settings["SQLALCHEMY_DATABASE_URI"]
