"""One small fixed world with hand-computed expectations (see test_metrics.py for the sums).

Period under test: Monday 2 March to Sunday 15 March 2026 (two whole weeks); the previous
period of equal length is 16 February to 1 March.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from forum.accounts.models import Role
from forum.boards.models import BoardVisibility, PostKind
from forum.escalations.models import Urgency
from forum.extensions import db
from forum.insights.metrics import Period
from forum.registry.models import ProfilePurpose, ProfileStatus
from tests.factories import make_department, make_user
from tests.insights import factories as f
from tests.insights.factories import at

PERIOD = Period(dt.date(2026, 3, 2), dt.date(2026, 3, 15))
NOW = at(15, 12)


def build() -> SimpleNamespace:
    s = SimpleNamespace()
    s.a = make_department(slug="parks", name="Parks")
    s.b = make_department(slug="housing", name="Housing")
    s.c = make_department(slug="libraries", name="Libraries")
    s.d = make_department(slug="waste", name="Waste")
    s.alice = make_user(Role.MEMBER, department=s.a, display_name="Alice")
    s.bob = make_user(Role.ENTHUSIAST, department=s.a, display_name="Bob")
    s.carol = make_user(Role.SENIOR, department=s.b, display_name="Carol")
    s.dan = make_user(Role.MEMBER, department=s.b, display_name="Dan")
    s.erin = make_user(Role.ENTHUSIAST, department=s.c, display_name="Erin")
    s.frank = make_user(Role.ADMIN, display_name="Frank")
    s.gina = make_user(Role.ENTHUSIAST, department=s.b, display_name="Gina")
    s.hugo = make_user(Role.ENTHUSIAST, department=s.d, display_name="Hugo")
    s.ivy = make_user(Role.MEMBER, department=s.a, display_name="Ivy")
    s.jack = make_user(Role.MEMBER, department=s.a, display_name="Jack")

    s.board = f.make_board(name="General")
    s.housing_board = f.make_board(
        s.b, name="Housing only", visibility=BoardVisibility.DEPARTMENT.value
    )
    f.moderate(s.bob, s.board, at(1, month=2))

    def thread(author, when, kind=PostKind.QUESTION, board=None, title=None):
        return f.make_thread(author, when, kind=kind, board=board or s.board, title=title)

    # Previous period.
    s.t0 = thread(s.alice, at(1, 23), title="Before the period")
    f.make_post(s.t0, s.dan, at(1, 23, 30))
    f.react(s.ivy, f.first_post(s.t0), at(20, month=2))
    s.t9 = thread(s.hugo, at(20, month=2), PostKind.STORY)

    # The period.
    s.t1 = thread(s.alice, at(2, 9), title="How do I schedule posts?")
    f.make_post(s.t1, s.dan, at(2, 9, 30))
    s.carol_answer = f.make_post(s.t1, s.carol, at(2, 11))
    f.solve(s.t1, s.carol_answer, at(2, 12))
    s.t2 = thread(s.bob, at(3, 10), PostKind.WIN)
    s.t3 = thread(s.dan, at(9, 8))
    own = f.make_post(s.t3, s.dan, at(9, 8, 10))
    f.make_post(s.t3, s.bob, at(9, 8, 20), deleted=True)
    f.make_post(s.t3, s.frank, at(9, 10))
    f.solve(s.t3, own, at(9, 12))
    s.t4 = thread(s.alice, at(10, 12), PostKind.FAILURE)
    f.make_post(s.t4, s.bob, at(10, 12, 45))
    s.t5 = thread(s.carol, at(15, 23, 59), PostKind.STORY)
    s.t6 = thread(s.dan, at(16, 0), PostKind.WIN)
    s.t7 = thread(s.erin, at(11, 9), title="Nobody answered me")
    s.t8 = thread(s.gina, at(12, 9), board=s.housing_board, title="Hidden reply only")
    f.make_post(s.t8, s.alice, at(12, 10), hidden=True)
    s.gina.is_active = False
    f.read(s.ivy, s.t1, at(5))
    f.react(s.jack, f.first_post(s.t2), at(4))

    # Escalations, on threads started long before (they do not touch the forum numbers).
    old = [thread(s.frank, at(5, month=1), PostKind.STORY) for _ in range(5)]
    f.make_escalation(
        old[0], at(3, 10), department=s.a, acknowledged_at=at(3, 10, 30), resolved_at=at(3, 12)
    )
    f.make_escalation(
        old[1], at(4, 9), urgency=Urgency.URGENT, department=s.b, resolved_at=at(4, 9, 50), climbs=2
    )
    f.make_escalation(
        old[2],
        at(5, 0),
        urgency=Urgency.CRISIS,
        department=s.b,
        acknowledged_at=at(5, 0, 40),
        climbs=1,
    )
    f.make_escalation(old[3], at(6), urgency=Urgency.URGENT, department=s.a)
    f.make_escalation(old[4], at(20, month=2), department=s.a, climbs=3)

    # Registry, judged at NOW (15 March 2026 12:00).
    s.ivy.away_from, s.ivy.away_until = dt.date(2026, 3, 10), dt.date(2026, 3, 20)
    s.jack.away_from, s.jack.away_until = dt.date(2026, 3, 1), None
    s.jack.cover_user_id = s.alice.id
    mastodon, bluesky = f.make_platform("Mastodon"), f.make_platform("Bluesky")
    old_day = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    f.make_profile(
        mastodon,
        s.a,
        created_at=old_day,
        owner=s.alice,
        backup=s.bob,
        last_reviewed_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    f.make_profile(
        mastodon,
        s.a,
        created_at=old_day,
        owner=s.alice,
        last_reviewed_at=dt.datetime(2025, 8, 1, tzinfo=dt.UTC),
    )
    f.make_profile(
        mastodon,
        s.b,
        created_at=old_day,
        owner=s.gina,
        backup=s.ivy,
        purpose=ProfilePurpose.CAMPAIGN,
        ends_on=dt.date(2026, 3, 1),
        last_reviewed_at=at(1),
    )
    f.make_profile(
        mastodon, s.b, created_at=at(1, month=2), backup=s.jack, status=ProfileStatus.DORMANT
    )
    f.make_profile(mastodon, s.a, created_at=old_day, status=ProfileStatus.ARCHIVED)
    f.make_profile(
        bluesky,
        s.c,
        created_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        owner=s.ivy,
        backup=s.alice,
        status=ProfileStatus.PROPOSED,
    )
    f.make_profile(
        bluesky,
        s.a,
        created_at=old_day,
        owner=s.alice,
        backup=s.bob,
        review_interval_months=12,
        last_reviewed_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC),
    )
    db.session.commit()
    return s
