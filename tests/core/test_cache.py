"""forum.core.cache: the in-process LRU, Redis behind CACHE_URL, and none; a cached thread page
shared by two workers through Redis still shows an edit made through the other one."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from forum.core import cache
from forum.extensions import db
from tests.boards.factories import make_thread
from tests.factories import PASSWORD, make_user

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


def test_local_cache_keeps_a_decoded_copy_not_the_callers_object() -> None:
    backend = cache.backend_for("local://")
    assert isinstance(backend, cache.LocalBackend)
    assert backend.get("a") is None
    value = {"posts": [[1, "text"]]}
    backend.set("a", value)
    value["posts"].append([2, "changed after set"])
    assert backend.get("a") == {"posts": [[1, "text"]]}
    assert backend.get("a") is backend.get("a")  # decoded once, shared by readers


def test_local_cache_evicts_the_least_recently_used_beyond_its_size() -> None:
    backend = cache.backend_for("local://?max_mb=0.001")  # 1,048 bytes
    assert isinstance(backend, cache.LocalBackend)
    for name in "abcd":  # 132 bytes of JSON each, counted as 198 decoded
        backend.set(name, "x" * 130)
    assert backend.get("a") == "x" * 130  # a is now the most recently used
    for name in "efg":
        backend.set(name, "x" * 130)
    assert backend.size <= backend.max_bytes
    assert backend.get("a") is not None
    assert backend.get("b") is None
    backend.set("huge", "x" * 600)  # over a quarter of the cache: not kept
    assert backend.get("huge") is None


def test_none_backend_and_unknown_schemes() -> None:
    backend = cache.backend_for("none://")
    backend.set("a", 1)
    assert backend.get("a") is None
    with pytest.raises(ValueError, match="CACHE_URL"):
        cache.backend_for("memcached://127.0.0.1")


def test_values_round_trip_as_json(app: Flask) -> None:
    cache.set("k", {"posts": [[1, 2, True, ["a", "slot", "b"]]]})
    assert cache.get("k") == {"posts": [[1, 2, True, ["a", "slot", "b"]]]}
    assert cache.get("missing") is None


def test_an_unreachable_redis_is_a_miss_not_an_error() -> None:
    backend = cache.backend_for("redis://127.0.0.1:1/0")
    backend.set("a", 1)
    assert backend.get("a") is None


@pytest.mark.skipif(not redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_two_workers_share_fragments_through_redis_and_see_an_edit(
    app_config: dict[str, Any], extra_app: Callable[[dict[str, Any]], Flask], app: Flask
) -> None:
    author = make_user()
    thread = make_thread(author=author, body="Shared first text.")
    post_id, thread_id = thread.last_post_id, thread.id
    workers = [extra_app({**app_config, "CACHE_URL": REDIS_URL}) for _ in range(2)]
    with workers[0].app_context():
        cache.clear()
    clients = []
    for worker in workers:
        client = worker.test_client()
        assert (
            client.post("/login", data={"email": author.email, "password": PASSWORD}).status_code
            == 302
        )
        clients.append(client)
    first = clients[0].get(f"/t/{thread_id}").get_data(as_text=True)
    assert "Shared first text." in first
    shared = cache.backend_for(REDIS_URL)
    assert isinstance(shared, cache.RedisBackend)
    assert list(shared.client.scan_iter(cache.PREFIX + "boards:thread:*"))
    response = clients[1].post(f"/p/{post_id}/edit", data={"body": "Shared second text."})
    assert response.status_code == 302
    html = clients[0].get(f"/t/{thread_id}").get_data(as_text=True)
    assert "Shared second text." in html and "Shared first text." not in html
    with workers[0].app_context():
        cache.clear()
        db.session.remove()
