"""Orphaned uploads (no post used them in UPLOAD_ORPHAN_HOURS) are removed by the worker's
job and by `flask --app wsgi uploads cleanup`, files and rows; used ones stay."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from forum.core.db import utcnow
from forum.core.work import registered_jobs
from forum.extensions import db
from forum.uploads import services
from forum.uploads.models import Upload
from tests.boards.factories import make_board, make_thread
from tests.factories import make_user, see_committed
from tests.uploads.images import png


def stored_files(app: Flask) -> set[str]:
    root = Path(app.instance_path) / "uploads"
    return {path.name for path in root.rglob("*") if path.is_file()}


def test_cleanup_removes_old_unused_uploads_and_keeps_the_rest(app: Flask, runner: Any) -> None:
    owner = make_user()
    long_ago = utcnow() - dt.timedelta(hours=30)
    orphan = services.create_upload(owner, filename="old.png", data=png(), now=long_ago)
    used = services.create_upload(owner, filename="used.png", data=png(), now=long_ago)
    recent = services.create_upload(owner, filename="new.png", data=png())
    make_thread(make_board(), author=owner, body=f"![Chart]({services.file_path(used)})")
    db.session.commit()
    orphan_keys = {orphan.storage_key, orphan.thumbnail_key}
    assert orphan_keys <= stored_files(app)
    result = runner.invoke(args=["uploads", "cleanup"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 unused uploads." in result.output
    see_committed()
    names = set(db.session.scalars(select(Upload.name)))
    assert names == {"used.png", "new.png"}
    assert not orphan_keys & stored_files(app)
    assert {used.storage_key, recent.storage_key} <= stored_files(app)


def test_the_worker_runs_the_cleanup_job(app: Flask, runner: Any) -> None:
    assert "uploads.cleanup" in {job.name for job in registered_jobs(app)}
    owner = make_user()
    services.create_upload(
        owner, filename="old.png", data=png(), now=utcnow() - dt.timedelta(days=2)
    )
    db.session.commit()
    result = runner.invoke(args=["work", "--once"])
    assert result.exit_code == 0, result.output
    see_committed()
    assert db.session.scalars(select(Upload)).all() == []
    assert stored_files(app) == set()
