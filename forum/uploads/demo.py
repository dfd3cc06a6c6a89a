"""Demo upload: a screenshot-like chart in a reply on the social media board, with its alt text."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw
from sqlalchemy import func, select

from forum.accounts import services as account_services
from forum.accounts.demo import demo_email
from forum.boards import services as boards
from forum.boards.models import Board, Thread
from forum.extensions import db
from forum.uploads import services
from forum.uploads.models import Upload

ALT = "Bar chart: replies within a day rose from 40% in June to 85% in September"


def _chart() -> bytes:
    """A small bar chart, drawn here so the demo needs no image file."""
    image = Image.new("RGB", (480, 240), "white")
    draw = ImageDraw.Draw(image)
    for index, share in enumerate((40, 55, 70, 85)):
        left = 40 + index * 110
        draw.rectangle((left, 220 - share * 2, left + 70, 220), fill=(31, 95, 160))
    draw.line((20, 220, 460, 220), fill="black", width=2)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seed() -> str:
    """One image upload, shown in a reply on the first thread of the social media board."""
    if db.session.scalar(select(func.count()).select_from(Upload)):
        return "uploads kept"
    author = account_services.user_by_email(demo_email("sam.riley"))
    board = db.session.scalar(select(Board).where(Board.slug == "social-media"))
    thread = (
        db.session.scalar(select(Thread).where(Thread.board_id == board.id).order_by(Thread.id))
        if board is not None
        else None
    )
    if author is None or thread is None:
        return "uploads skipped (no demo board)"
    upload = services.create_upload(author, filename="reply-times.png", data=_chart())
    with boards.notifications_suppressed():
        boards.add_post(
            thread,
            author=author,
            body="Our reply times since we started the rota:\n\n"
            + services.markdown_for(upload, ALT),
        )
    return "1 upload"
