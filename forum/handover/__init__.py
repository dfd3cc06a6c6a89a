"""Hand-over: when someone leaves or moves, everything they hold passes to someone else."""

from __future__ import annotations

from flask import Blueprint, Flask

from forum.handover import models as models

bp = Blueprint("handover", __name__)

from forum.handover import admin_views as _admin_views  # noqa: E402, F401  (admin pages)
from forum.handover import api as _api  # noqa: E402, F401  (registers the API routes)

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    from forum.accounts import signals
    from forum.accounts.permissions import is_admin
    from forum.core import slots
    from forum.core.navigation import register_nav
    from forum.handover import services, views
    from forum.handover.cli import handover_cli

    app.register_blueprint(bp)
    app.cli.add_command(handover_cli)
    # weak=False: the receivers are module functions, but be explicit that they must live on.
    signals.user_deactivated.connect(services.on_user_deactivated, weak=False)
    signals.user_department_changed.connect(services.on_department_changed, weak=False)
    slots.register(app, slots.REGISTRY_ATTENTION, views.registry_attention)
    register_nav(
        app, "Hand-overs", "handover.admin_handovers", order=91, visible=is_admin, section="admin"
    )
