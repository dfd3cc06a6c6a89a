"""Alert delivery: the transactional outbox, channels (email, webhook, in-app), the worker,
and people's in-app notifications (the bell, the notifications page, daily digests)."""

from __future__ import annotations

from flask import Blueprint, Flask

from forum.alerts import models as models

bp = Blueprint("alerts", __name__)

from forum.alerts import admin_views as _admin_views  # noqa: E402, F401  (the admin pages)
from forum.alerts import api as _api  # noqa: E402, F401  (registers the API routes)
from forum.alerts import views as _views  # noqa: E402, F401  (registers the HTML routes)

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    from forum.accounts.permissions import is_admin
    from forum.alerts import services, views, worker
    from forum.alerts.cli import alerts_cli
    from forum.core import mail, slots, work
    from forum.core.navigation import register_nav
    from forum.core.web import register_public_endpoint
    from forum.extensions import csrf

    app.register_blueprint(bp)
    app.cli.add_command(alerts_cli)
    # Digests are queued before delivery, so `work --once` sends what it queued.
    work.register_job(app, "alerts.digest", worker.digest_job, every_seconds=600, order=20)
    work.register_job(app, "alerts.deliver", worker.deliver_job, every_seconds=0, order=50)
    slots.register(app, slots.HEADER, views.bell)
    mail.register_email_queue(app, services.queue_email)
    services.unsubscribe.init_app(app)
    # The one-click unsubscribe link is its own authority: mail providers POST it without
    # cookies (RFC 8058), so neither a sign-in nor a CSRF token can be asked for.
    register_public_endpoint(app, "alerts.unsubscribe")
    csrf.exempt(views.unsubscribe)
    register_nav(
        app,
        "Alerts and sent mail",
        "alerts.admin_outbox",
        order=92,
        visible=is_admin,
        section="admin",
    )
