"""Demo data for search: none of its own. The boards' demo threads reach the index through the
queue; this seeder says how many changes wait, and who applies them."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from forum.extensions import db
from forum.search.models import SearchQueueItem


def seed() -> str:
    """Report the index changes the demo queued; add nothing (so running it again is harmless).

    The boards' signals queued every demo thread and post in the seeding transaction, so they
    reach the index once `seed-demo` commits: at once with SEARCH_INDEX_INLINE, otherwise when
    `flask --app wsgi search work` (or `flask --app wsgi work`) drains the queue.
    """
    db.session.flush()
    queued = db.session.scalar(select(func.count(SearchQueueItem.id))) or 0
    if current_app.config.get("SEARCH_INDEX_INLINE", True):
        return f"{queued} search index changes queued (applied on commit)"
    return f"{queued} search index changes queued (`flask --app wsgi search work` applies them)"
