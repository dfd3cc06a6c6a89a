"""Alert delivery: the transactional outbox, channels (email, webhook, in-app), the worker,
and people's in-app notifications (the bell, the notifications page, daily digests)."""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context

from forum.alerts import admin_views as _admin_views  # noqa: F401  (registers admin routes)
from forum.alerts import api as _api  # noqa: F401  (registers the API routes)
from forum.alerts import models as models
from forum.alerts.cli import alerts_cli
from forum.alerts.views import bp

__all__ = ["bp", "init_app"]


def _bell() -> dict[str, Any]:
    """`alerts_unread_count()` for the header bell: queried only when a template calls it."""

    def alerts_unread_count() -> int | None:
        from flask_login import current_user

        from forum.alerts import services

        if not has_request_context() or not getattr(current_user, "is_authenticated", False):
            return None
        return services.unread_count(current_user)

    return {"alerts_unread_count": alerts_unread_count}


def init_app(app: Flask) -> None:
    from forum.accounts.permissions import is_admin
    from forum.alerts import worker
    from forum.core import work
    from forum.core.web import register_nav

    app.register_blueprint(bp)
    app.cli.add_command(alerts_cli)
    # Digests are queued before delivery, so `work --once` sends what it queued.
    work.register_job(app, "alerts.digest", worker.digest_job, every_seconds=600, order=20)
    work.register_job(app, "alerts.deliver", worker.deliver_job, every_seconds=0, order=50)
    app.context_processor(_bell)
    register_nav(
        app,
        "Alerts and sent mail",
        "alerts.admin_outbox",
        order=92,
        visible=is_admin,
        section="admin",
    )
