"""Demo escalations in every state (one that climbed the ladder) and a configured policy."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from forum.accounts import services as account_services
from forum.accounts.demo import demo_email
from forum.accounts.models import User
from forum.alerts.services import endpoints as webhook_endpoints
from forum.boards import services as board_services
from forum.boards.models import Thread
from forum.core.db import utcnow
from forum.core.errors import NotFound
from forum.escalations import services
from forum.escalations.models import Escalation, Urgency
from forum.escalations.services import policies, routing
from forum.extensions import db

POLICY_NAME = "Communications: urgent and crisis"

# (who escalates, urgency, minutes ago, what happens next, reason)
SCENARIOS = [
    (
        "david.kim",
        Urgency.CRISIS,
        4,
        "open",
        "A resident's video about the flooded underpass is being shared widely and people are "
        "tagging our main account. We need a holding line from a senior now.",
    ),
    (
        "arjun.patel",
        Urgency.URGENT,
        130,
        "acknowledged",
        "A tenant is posting screenshots of our repair emails. Is it OK to reply publicly or "
        "should we move it to DMs?",
    ),
    (
        "zoe.martin",
        Urgency.ROUTINE,
        60 * 26,
        "resolved",
        "Someone asked whether the library's account is official. Not urgent, but a senior "
        "should confirm what we say.",
    ),
    (
        "ben.carter",
        Urgency.URGENT,
        42,
        "climbed",
        "A councillor quoted our bin-collection post with a wrong date. Needs a correction "
        "approved before the evening rush.",
    ),
]


def _person(local: str) -> User | None:
    return account_services.user_by_email(demo_email(local))


def _seed_policy(admin: User) -> int:
    if policies.policy_by_name(POLICY_NAME) is not None:
        return 0
    communications = account_services.department_by_slug("communications")
    first = [p for p in (_person("priya.shah"),) if p is not None]
    second = [p for p in (_person("tom.hughes"), _person("grace.lee")) if p is not None]
    if communications is None or not first:
        return 0
    policy = policies.save_policy(
        admin,
        name=POLICY_NAME,
        position=0,
        urgencies=["urgent", "crisis"],
        departments=[communications],
        repeat_count=1,
        # The alerts demo's Slack endpoint is switched off until an admin pastes a real URL.
        webhook_endpoints=webhook_endpoints.list_endpoints(),
        description="Public rows on communications boards go to the head of comms first, "
        "then the other seniors, then the administrators.",
    )
    policies.add_level(admin, policy, users=first)
    if second:
        policies.add_level(admin, policy, users=second)
    policies.add_level(admin, policy, users=[admin], timeout_minutes=15)
    return 1


# The thread each scenario is about: (board slug, kind, title, opening post).
SCENARIO_THREADS = [
    (
        "social-media",
        "question",
        "Flooded underpass video: what do we say?",
        "A resident's video of the flooded underpass on Station Road has 40k views and people "
        "are tagging our main account asking why it is still open. Highways say it is closed "
        "now. What is our line?",
    ),
    (
        "housing-digital",
        "question",
        "Tenant posting screenshots of our repair emails",
        "A tenant is posting screenshots of our repair emails on X, names visible. Do we reply "
        "in public, or only by DM?",
    ),
    (
        "social-media",
        "question",
        "Is @StoneleighLibraries really ours?",
        "A resident asks whether the @StoneleighLibraries account is official. I cannot find it "
        "in the registry.",
    ),
    (
        "social-media",
        "failure",
        "Councillor quoted our bin post with the wrong date",
        "A councillor quote-posted our bin collection post with last year's bank holiday date. "
        "Replies are piling up.",
    ),
]


def _demo_threads(viewer: User, at: dt.datetime) -> list[Thread]:
    """One thread per scenario, on the demo board it belongs to (any visible board if the
    boards demo is missing)."""
    fallback = board_services.visible_boards(viewer)
    threads: list[Thread] = []
    with board_services.notifications_suppressed():
        for (local, *_rest), (slug, kind, title, body) in zip(
            SCENARIOS, SCENARIO_THREADS, strict=True
        ):
            author = _person(local) or viewer
            try:
                board = board_services.get_visible_board(author, slug)
            except NotFound:
                if not fallback:
                    return threads
                board = fallback[0]
            threads.append(
                board_services.create_thread(
                    board, author=author, kind=kind, title=title, body=body, tags=[], now=at
                )
            )
    return threads


def seed() -> str:
    """Idempotent: nothing is added once any escalation exists."""
    admin = _person("admin")
    if admin is None:
        return "escalations skipped (no demo staff)"
    policies_added = _seed_policy(admin)
    db.session.flush()
    if (db.session.scalar(select(func.count()).select_from(Escalation)) or 0) > 0:
        return f"{policies_added} escalation policy, escalations already present"
    now = utcnow()
    threads = _demo_threads(admin, now - dt.timedelta(days=2))
    priya, tom = _person("priya.shah"), _person("tom.hughes")
    created = 0
    for thread, (local, urgency, minutes_ago, outcome, reason) in zip(
        threads, SCENARIOS, strict=False
    ):
        actor = _person(local)
        if actor is None or not board_services.can_see_board(actor, thread.board):
            actor = admin
        at = now - dt.timedelta(minutes=minutes_ago)
        escalation, _ = services.escalate(
            thread, actor=actor, reason=reason, urgency=urgency, now=at
        )
        if outcome == "acknowledged" and priya is not None:
            services.acknowledge(escalation, actor=priya, now=at + dt.timedelta(minutes=12))
            services.add_note(
                escalation,
                actor=priya,
                now=at + dt.timedelta(minutes=14),
                note="Spoke to the repairs manager; drafting a public reply.",
            )
        elif outcome == "resolved" and tom is not None:
            services.acknowledge(escalation, actor=tom, now=at + dt.timedelta(hours=3))
            services.resolve(
                escalation,
                actor=tom,
                now=at + dt.timedelta(hours=4),
                note="Confirmed it is ours and listed in the registry; replied.",
            )
        elif outcome == "climbed":
            services.advance_ladder(at + routing.timeout_for(escalation, escalation.level))
        created += 1
    db.session.flush()
    return f"{policies_added} escalation policy, {created} escalations"
