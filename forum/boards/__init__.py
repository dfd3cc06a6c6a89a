"""Discussion boards: boards, threads, posts, moderation, unread tracking and notifications."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template
from flask.typing import ResponseReturnValue

from forum.boards import models as models
from forum.boards import signals as signals

bp = Blueprint("boards", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    return render_template("boards/index.html")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
