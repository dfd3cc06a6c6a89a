"""Demo data for hand-overs: one person has left, and what they held waits for new hands."""

from __future__ import annotations

from forum.accounts import services as account_services
from forum.accounts.demo import demo_email
from forum.extensions import db
from forum.handover import services


def seed() -> str:
    """Felix Brown (Revenues' enthusiast, who owns profiles) is deactivated by the admin, which
    opens his hand-over; nothing happens when he already has one or is already deactivated."""
    felix = account_services.user_by_email(demo_email("felix.brown"))
    admin = account_services.user_by_email(demo_email("admin"))
    if felix is None or admin is None or not felix.is_active:
        return "no hand-over"
    if services.latest_handover_for(felix.id) is not None:
        return "no hand-over"
    account_services.admin_update_user(admin, felix, is_active=False)
    db.session.flush()
    handover = services.open_handover_for(felix.id)
    held = len(services.held_items(handover)) if handover is not None else 0
    return f"1 open hand-over ({held} items)"
