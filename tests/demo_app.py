"""An app loaded with the demo data once per test module, for the fuzz and crawl tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask

from forum import create_app
from forum.demo.seed import seed_all
from forum.extensions import db
from tests.conftest import _empty_all_tables, base_config


@contextmanager
def demo_app(database_url: str, tmp_path: Path, **overrides: Any) -> Iterator[Flask]:
    """The demo data in the session's database, emptied again when the block ends.

    Throttles are off: these tests send hundreds of requests as one person on purpose.
    """
    config = {**base_config(database_url, tmp_path), "RATELIMIT_ENABLED": False, **overrides}
    app = create_app(config)
    try:
        with app.app_context():
            seed_all()
            db.session.commit()
            db.session.remove()
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        _empty_all_tables(database_url)
