"""A cross-process (and cross-thread) exclusive lock on a file, with a wait limit."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_POLL_SECONDS = 0.02


class FileLock:
    """flock(2) on a lock file: released by the kernel when the holder dies, so a crashed
    worker never leaves the index locked. Each acquire opens its own descriptor, so two threads
    of one process exclude each other as two processes do."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self, timeout: float = 0.0) -> bool:
        """Take the lock, waiting up to `timeout` seconds; False when it stayed taken."""
        if self._fd is not None:
            raise RuntimeError(f"{self.path} is already held by this object")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(_POLL_SECONDS)
                continue
            self._fd = fd
            return True

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def is_held_elsewhere(self) -> bool:
        """True when someone else holds the lock right now (a snapshot, for status only)."""
        if self._fd is not None:
            return False
        if not self.acquire(0):
            return True
        self.release()
        return False


@contextmanager
def held(lock: FileLock, timeout: float) -> Iterator[bool]:
    """`with held(lock, 5) as got:` — `got` says whether the lock was taken."""
    got = lock.acquire(timeout)
    try:
        yield got
    finally:
        if got:
            lock.release()
