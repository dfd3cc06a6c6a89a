"""The uploads demo: one chart in a reply, with its description, visible to the board's readers."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from forum.accounts.demo import seed as seed_accounts
from forum.boards import demo as boards_demo
from forum.boards.models import Post
from forum.extensions import db
from forum.uploads import demo
from forum.uploads.models import Upload, UploadUse
from tests.factories import make_user


def test_demo_upload_is_shown_in_a_reply_and_seeding_twice_adds_nothing(
    app: Flask, api: Any
) -> None:
    seed_accounts()
    boards_demo.seed()
    assert demo.seed() == "1 upload"
    db.session.commit()
    upload = db.session.scalars(select(Upload)).one()
    use = db.session.scalars(select(UploadUse)).one()
    post = db.session.get(Post, use.post_id)
    assert post is not None
    assert f"![{demo.ALT}](/uploads/{upload.id}/reply-times.png)" in post.body
    assert api(make_user()).get(f"/uploads/{upload.id}/reply-times.png").status_code == 200
    assert demo.seed() == "uploads kept"
