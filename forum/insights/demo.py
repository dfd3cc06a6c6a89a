"""Demo data: a one-page strategy, adopted eight weeks ago and endorsed by a senior."""

from __future__ import annotations

import datetime as dt

from forum.accounts import services as account_services
from forum.accounts.demo import demo_email
from forum.core.db import utcnow
from forum.insights import services
from forum.insights.services import GoalInput

VISION = (
    "Every department can tell its story online, get a senior answer fast when something goes "
    "wrong, and knows exactly which accounts it runs.\n"
    "We get there by people helping each other here: sharing wins and failures, answering "
    "questions, and keeping our register of accounts true."
)


def _goals(adopted: dt.date) -> list[GoalInput]:
    in_months = adopted + dt.timedelta(days=182)
    return [
        GoalInput(
            "An enthusiast in every department",
            "departments_without_enthusiast",
            "at_most",
            0,
            in_months,
        ),
        GoalInput(
            "Median time to a senior reply under 2 hours",
            "median_minutes_to_senior_reply",
            "at_most",
            120,
            in_months,
        ),
        GoalInput(
            "Every profile reviewed in the last 6 months",
            "percent_profiles_reviewed_6_months",
            "at_least",
            100,
            in_months,
        ),
        GoalInput(
            "Most questions and failures solved",
            "percent_questions_solved",
            "at_least",
            75,
            in_months,
        ),
        GoalInput(
            "Escalations acknowledged within 30 minutes (median)",
            "median_minutes_to_senior_ack",
            "at_most",
            30,
            adopted + dt.timedelta(days=60),
        ),
        GoalInput(
            "Ten people helping others to a solution each quarter",
            "people_helping",
            "at_least",
            10,
            in_months,
        ),
    ]


def seed() -> str:
    """The strategy (version 1) and Priya Shah's endorsement; skipped if any version exists."""
    if services.current_version() is not None:
        return "strategy already written"
    admin = account_services.user_by_email(demo_email("admin"))
    senior = account_services.user_by_email(demo_email("priya.shah"))
    if admin is None:
        return "no demo admin: strategy skipped"
    adopted = utcnow() - dt.timedelta(days=56)
    version = services.save_strategy(
        admin, vision=VISION, goals=_goals(adopted.date()), now=adopted
    )
    endorsements = 0
    if senior is not None:
        services.endorse(senior, version, now=adopted + dt.timedelta(days=1, hours=3))
        endorsements = 1
    return f"strategy version 1 with {len(version.goals)} goals, {endorsements} endorsement"
