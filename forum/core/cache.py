"""A small cache of rendered fragments behind CACHE_URL: in-process by default, Redis to share.

Entries are never invalidated: callers put every version their value depends on into the key
(a thread's version, a board's), so a change makes new keys and old entries age out of the LRU
(or expire in Redis). That is also why the in-process cache is correct with several workers:
each worker reads the current versions from the database on every request.

Values are JSON-shaped (str, int, lists, dicts). Redis stores them as JSON, so whoever can
write to a shared Redis cannot make the app run code. The in-process cache keeps them decoded
(decoding a thread page's entry on every view cost a tenth of its time): what `get` returns is
shared by every request of the process, so callers only read it.

    CACHE_URL=local://              this process, at most 32 MB (the default)
    CACHE_URL=local://?max_mb=16    this process, at most 16 MB
    CACHE_URL=redis://127.0.0.1:6379/0   shared by every worker and host
    CACHE_URL=none://               no cache (every get misses)
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from flask import Flask, current_app

logger = logging.getLogger(__name__)

# A worker is ~105 MB without it; the issue keeps each under 150 MB.
DEFAULT_LOCAL_MB = 32
# Redis entries outlive their versions only this long (seconds): they are never read again.
REDIS_TTL = 24 * 3600
PREFIX = "forum:"


class Backend(Protocol):
    def get(self, key: str) -> Any | None: ...

    def set(self, key: str, value: Any) -> None: ...

    def clear(self) -> None: ...


# A decoded value takes more memory than its JSON (the objects' headers): counted this much.
DECODED_OVERHEAD = 1.5


class LocalBackend:
    """A least-recently-used dict of decoded values, bounded by their size, thread-safe.

    A value is stored as a fresh decoding of its JSON, never as the caller's object, so what
    the caller does with its own object afterwards cannot change the entry."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[str, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def set(self, key: str, value: Any) -> None:
        encoded = _encode(value)
        size = int(len(encoded) * DECODED_OVERHEAD)
        if size > self.max_bytes // 4:
            return  # one huge value would evict everything else
        decoded = json.loads(encoded)
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self._entries[key] = (decoded, size)
            self.size += size
            while self.size > self.max_bytes and self._entries:
                _key, (_value, evicted) = self._entries.popitem(last=False)
                self.size -= evicted

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0


class RedisBackend:
    """Redis, shared by every worker; an unreachable Redis is a miss, never an error page."""

    def __init__(self, url: str) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)

    def get(self, key: str) -> Any | None:
        try:
            value = self.client.get(PREFIX + key)
        except Exception:
            logger.warning("cache: Redis get failed", exc_info=True)
            return None
        return json.loads(value) if isinstance(value, bytes) else None

    def set(self, key: str, value: Any) -> None:
        try:
            self.client.set(PREFIX + key, _encode(value), ex=REDIS_TTL)
        except Exception:
            logger.warning("cache: Redis set failed", exc_info=True)

    def clear(self) -> None:
        try:
            keys = list(self.client.scan_iter(PREFIX + "*"))
            if keys:
                self.client.delete(*keys)
        except Exception:
            logger.warning("cache: Redis clear failed", exc_info=True)


class NoBackend:
    def get(self, key: str) -> Any | None:
        return None

    def set(self, key: str, value: Any) -> None:
        return None

    def clear(self) -> None:
        return None


def _encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def backend_for(url: str) -> Backend:
    """The backend a CACHE_URL names; ValueError for an unknown scheme."""
    parts = urlsplit(url or "local://")
    if parts.scheme == "local":
        options = parse_qs(parts.query)
        megabytes = float(options.get("max_mb", [DEFAULT_LOCAL_MB])[0])
        return LocalBackend(int(megabytes * 1024 * 1024))
    if parts.scheme in ("redis", "rediss", "unix"):
        return RedisBackend(url)
    if parts.scheme == "none":
        return NoBackend()
    raise ValueError(f"CACHE_URL: unknown scheme {parts.scheme!r} (local, redis or none)")


def init_app(app: Flask) -> None:
    app.extensions["forum.cache"] = backend_for(str(app.config.get("CACHE_URL") or "local://"))


def _backend() -> Backend:
    backend: Backend | None = current_app.extensions.get("forum.cache")
    if backend is None:
        init_app(current_app)
        backend = current_app.extensions["forum.cache"]
    return backend


def get(key: str) -> Any | None:
    """The value stored under `key`, or None. Read it, never change it (see the module)."""
    return _backend().get(key)


def set(key: str, value: Any) -> None:
    """Store a JSON-shaped `value` under `key`."""
    _backend().set(key, value)


def clear() -> None:
    """Drop every entry (after restoring a database backup, whose versions start over)."""
    _backend().clear()
