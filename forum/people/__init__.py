"""People: a page per person (/u/<handle>), the directory, and skills and training."""

from __future__ import annotations

from flask import Blueprint, Flask

from forum.people import models as models

bp = Blueprint("people", __name__)

from forum.people import admin_views as _admin_views  # noqa: E402, F401  (the admin page)
from forum.people import api as _api  # noqa: E402, F401  (registers the API routes)
from forum.people import views as _views  # noqa: E402, F401  (registers the HTML routes)

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    from forum.accounts.permissions import is_admin
    from forum.core.navigation import register_nav
    from forum.people.cli import people_cli

    app.register_blueprint(bp)
    app.cli.add_command(people_cli)
    register_nav(app, "People", "people.directory", order=28)
    register_nav(
        app,
        "Skills and training",
        "people.admin_skills",
        order=94,
        visible=is_admin,
        section="admin",
    )
