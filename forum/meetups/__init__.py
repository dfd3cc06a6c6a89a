"""Meet-ups: events on a board, answers to them, reminders, and the story posted afterwards."""

from __future__ import annotations

from flask import Blueprint, Flask

from forum.meetups import models as models

bp = Blueprint("meetups", __name__)

from forum.meetups import api as _api  # noqa: E402, F401  (registers the API routes)
from forum.meetups import feeds as _feeds  # noqa: E402, F401  (the Atom feed)
from forum.meetups import views as _views  # noqa: E402, F401  (registers the HTML routes)

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    from forum.alerts.redaction import register_ref_check
    from forum.boards import signals
    from forum.core import work
    from forum.core.navigation import register_nav
    from forum.core.web import register_public_endpoint
    from forum.meetups import services
    from forum.meetups.cli import follow_up_job, meetups_cli

    app.register_blueprint(bp)
    app.cli.add_command(meetups_cli)
    # Authenticated by the key in its URL, like the boards' feeds.
    register_public_endpoint(app, "meetups.feed")
    register_nav(app, "Meet-ups", "meetups.index", order=20)
    # Notices naming a meet-up are shown only while their reader may still see its board.
    register_ref_check(app, "meetup", services.readable_meetup_ids)
    signals.thread_created.connect(services.on_thread_created, weak=False)
    # Before alerts.deliver (order 50), so a reminder goes out in the same turn.
    work.register_job(
        app, "meetups.follow_up", lambda tick: follow_up_job(tick.now), every_seconds=60, order=15
    )
