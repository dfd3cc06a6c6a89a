"""Insights: the community health dashboard, its API and CSV series, and the one-page strategy."""

from __future__ import annotations

from flask import Blueprint, Flask

from forum.insights import models as models

bp = Blueprint("insights", __name__)

from forum.insights import api as _api  # noqa: E402, F401  (registers the API routes)
from forum.insights import views as _views  # noqa: E402, F401  (registers the HTML routes)

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    from forum.accounts.models import Role
    from forum.accounts.permissions import has_role
    from forum.core.navigation import register_nav
    from forum.insights.cli import insights_cli
    from forum.insights.formatting import FILTERS

    app.register_blueprint(bp)
    app.cli.add_command(insights_cli)
    app.jinja_env.filters.update(FILTERS)
    register_nav(
        app,
        "Insights",
        "insights.dashboard",
        order=30,
        visible=lambda user: has_role(user, Role.ENTHUSIAST),
    )
    register_nav(app, "Strategy", "insights.strategy", order=31)
