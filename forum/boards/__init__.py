"""Discussion boards (placeholder home page until the boards capability lands)."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template
from flask.typing import ResponseReturnValue

bp = Blueprint("boards", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    return render_template("boards/index.html")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
