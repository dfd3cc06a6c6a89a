"""Escalations: send a thread to the right senior people, climb a ladder until acknowledged."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask

from forum.escalations import models as models

bp = Blueprint("escalations", __name__)

from forum.escalations import admin_views as _admin_views  # noqa: E402, F401  (admin pages)
from forum.escalations import api as _api  # noqa: E402, F401  (registers the API routes)
from forum.escalations import views as _views  # noqa: E402, F401  (registers the HTML routes)

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    from forum.accounts.permissions import is_admin, is_senior
    from forum.boards import signals
    from forum.core import slots
    from forum.core.navigation import register_nav
    from forum.core.web import register_public_endpoint
    from forum.escalations import services, views
    from forum.escalations.cli import escalations_cli
    from forum.registry import register_reference_provider

    app.register_blueprint(bp)
    app.cli.add_command(escalations_cli)
    # weak=False: the receivers are module functions, but be explicit that they must live on.
    signals.post_created.connect(services.on_post_created, weak=False)
    signals.thread_moved.connect(services.on_thread_moved, weak=False)
    slots.register(app, slots.THREAD_PANELS, views.thread_panel)
    register_nav(app, "Inbox", "escalations.inbox", order=25, visible=is_senior)
    register_nav(
        app,
        "Escalation policies",
        "escalations.admin_policies",
        order=93,
        visible=is_admin,
        section="admin",
    )
    register_reference_provider(app, _profile_references)
    # The one-click links of alert emails: the signed link, not a sign-in, says who acts.
    register_public_endpoint(app, "escalations.acknowledge_link", "escalations.open_link")
    _register_periodic(app)


def _profile_references(profile: Any, viewer: Any) -> list[Any]:
    """Escalations naming a registered profile, for its registry page: all of them for seniors
    and admins, one's own for everyone else."""
    from forum.escalations import services
    from forum.escalations.services import inbox
    from forum.registry.services.references import ProfileReference

    return [
        ProfileReference(
            kind="escalation",
            title=f"Escalation: {e.thread.title}",
            url=f"/escalations/{e.id}",
            detail=f"{e.urgency_enum.label}, {e.state_enum.label.lower()}",
            created_at=e.created_at,
            ref_id=e.id,
        )
        for e in inbox.escalations_for_profile(profile.id)
        if services.can_view(viewer, e)
    ]


def _register_periodic(app: Flask) -> None:
    """`flask --app wsgi work` climbs the ladder every few seconds, before it delivers, so the
    alerts of a climb go out in the same turn (`escalations tick` does it alone)."""
    from forum.core import work
    from forum.escalations.cli import tick_job

    work.register_job(
        app, "escalations.ladder", lambda tick: tick_job(tick.now), every_seconds=10, order=10
    )
