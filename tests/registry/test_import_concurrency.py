"""A 5,000-row import runs while another thread keeps reading and writing through the API."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from flask import Flask

from forum.extensions import db
from forum.registry import services
from tests.registry.factories import make_profile
from tests.registry.test_import import _count, _people, _rows


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # The other thread edits as fast as it can; throttles are not what this test is about.
    return {**app_config, "API_WRITE_RATE_LIMIT": "100000 per minute"}


def test_a_5000_row_import_keeps_the_forum_serving(app: Flask, api: Any) -> None:
    admin = _people()
    path = f"/api/v1/profiles/{make_profile().id}"
    client = api(admin)
    batches = {"committed": 0}
    failures: list[str] = []
    writes_after_batch: list[int] = []  # for each edit that succeeded: batches committed then
    wrote = threading.Event()
    stop = threading.Event()

    def serve() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            edit = client.patch(path, json={"description": f"edit {n}"})
            read = client.get(path)
            if edit.status_code != 200 or read.status_code != 200:
                failures.append(f"{edit.status_code} {read.status_code} {edit.get_data()[:200]!r}")
                return
            writes_after_batch.append(batches["committed"])
            wrote.set()

    def commit() -> None:
        db.session.commit()
        batches["committed"] += 1
        if batches["committed"] == 10:
            # Mid-import, with no lock held: the other thread's next edit must get through.
            wrote.clear()
            wrote.wait(timeout=120)

    other = threading.Thread(target=serve)
    other.start()
    try:
        report = services.apply_import(admin, _rows(5000), commit=commit)
    finally:
        stop.set()
        other.join()
    assert failures == []
    assert report.applied and report.count("create") == 5000
    assert _count() == 5001
    # One commit after the check, then one per batch of 200.
    assert batches["committed"] == 1 + 5000 // services.IMPORT_BATCH_SIZE
    assert any(1 < after < batches["committed"] for after in writes_after_batch)
