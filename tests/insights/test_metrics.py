"""Every metric against sums worked out by hand on the fixed scenario (tests/insights/scenario.py)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from forum.boards.services.visibility import board_visibility_clause
from forum.insights import metrics
from forum.insights.metrics import Period, Rung
from tests.insights import scenario
from tests.insights.scenario import NOW, PERIOD


@pytest.fixture
def s(app: object) -> SimpleNamespace:
    return scenario.build()


def test_posts_by_kind_counts_threads_started_in_the_period_per_week(s: SimpleNamespace) -> None:
    result = metrics.posts_by_kind(PERIOD)
    assert result.totals == {"win": 1, "failure": 1, "fix": 0, "question": 4, "story": 1}
    assert result.weekly == [
        {"week": dt.date(2026, 3, 2), "win": 1, "failure": 0, "fix": 0, "question": 1, "story": 0},
        {"week": dt.date(2026, 3, 9), "win": 0, "failure": 1, "fix": 0, "question": 3, "story": 1},
    ]


def test_posts_by_kind_for_one_department(s: SimpleNamespace) -> None:
    result = metrics.posts_by_kind(PERIOD, s.a.id)
    assert result.totals == {"win": 1, "failure": 1, "fix": 0, "question": 1, "story": 0}


def test_weeks_of_a_period_starting_midweek_start_on_monday(s: SimpleNamespace) -> None:
    result = metrics.posts_by_kind(Period(dt.date(2026, 3, 4), dt.date(2026, 3, 10)))
    assert [row["week"] for row in result.weekly] == [dt.date(2026, 3, 2), dt.date(2026, 3, 9)]
    # Bob's win on Tuesday the 3rd is before the period starts.
    assert result.weekly[0] == {
        "week": dt.date(2026, 3, 2),
        "win": 0,
        "failure": 0,
        "fix": 0,
        "question": 0,
        "story": 0,
    }
    assert result.totals == {"win": 0, "failure": 1, "fix": 0, "question": 1, "story": 0}


def test_active_contributors_by_department(s: SimpleNamespace) -> None:
    rows = metrics.active_contributors_by_department(PERIOD)
    assert [(r.slug, r.count) for r in rows] == [
        ("housing", 3),
        ("libraries", 1),
        ("parks", 2),
        ("waste", 0),
        ("", 1),
    ]
    assert metrics.active_contributor_count(PERIOD) == 7
    assert metrics.active_contributor_count(PERIOD, s.b.id) == 3
    only = metrics.active_contributors_by_department(PERIOD, s.a.id)
    assert [(r.slug, r.count) for r in only] == [("parks", 2)]


def test_departments_without_an_active_enthusiast(s: SimpleNamespace) -> None:
    rows = metrics.departments_without_enthusiast(PERIOD)
    # Housing's only enthusiast is deactivated; Waste's enthusiast posted before the period.
    assert [(r.slug, r.enthusiasts) for r in rows] == [("housing", 0), ("waste", 1)]
    assert metrics.departments_without_enthusiast(PERIOD, s.a.id) == []


def test_responsiveness_medians_and_solved_share(s: SimpleNamespace) -> None:
    result = metrics.responsiveness(PERIOD)
    assert result.help_threads == 5
    assert result.solved == 2
    assert result.percent_solved == 40.0
    assert result.unanswered == 2
    # First replies by someone else: 30, 120 and 45 minutes.
    assert result.median_minutes_to_first_reply == pytest.approx(45.0, abs=0.01)
    # Senior or admin replies: 120 and 120 minutes.
    assert result.median_minutes_to_senior_reply == pytest.approx(120.0, abs=0.01)


def test_median_of_an_even_count_averages_the_middle_two(s: SimpleNamespace) -> None:
    result = metrics.responsiveness(PERIOD, s.a.id)
    assert result.median_minutes_to_first_reply == pytest.approx(37.5, abs=0.01)
    assert result.median_minutes_to_senior_reply == pytest.approx(120.0, abs=0.01)


def test_medians_are_none_without_data(app: object) -> None:
    result = metrics.responsiveness(PERIOD)
    assert result.median_minutes_to_first_reply is None
    assert result.percent_solved is None


def test_unanswered_questions_oldest_first_and_only_on_visible_boards(s: SimpleNamespace) -> None:
    assert [t.title for t in metrics.unanswered_questions(PERIOD)] == [
        "Nobody answered me",
        "Hidden reply only",
    ]
    visible_to_ivy = metrics.unanswered_questions(
        PERIOD, board_clause=board_visibility_clause(s.ivy)
    )
    assert [t.title for t in visible_to_ivy] == ["Nobody answered me"]


def test_engagement_ladder_counts_each_person_at_the_highest_rung(s: SimpleNamespace) -> None:
    ladder = metrics.engagement_ladder(PERIOD)
    assert ladder.current == {
        Rung.READING: 1,
        Rung.REACTING: 1,
        Rung.REPLYING: 1,
        Rung.POSTING: 4,
        Rung.HELPING: 1,
        Rung.LEADING: 1,
    }
    assert ladder.previous == {
        Rung.READING: 0,
        Rung.REACTING: 1,
        Rung.REPLYING: 1,
        Rung.POSTING: 2,
        Rung.HELPING: 0,
        Rung.LEADING: 1,
    }
    assert (ladder.moved_up, ladder.moved_down, ladder.stayed) == (1, 1, 2)
    assert (ladder.joined, ladder.dropped_off) == (5, 1)
    assert ladder.transitions[(Rung.REPLYING, Rung.POSTING)] == 1  # Dan
    assert ladder.transitions[(Rung.REACTING, Rung.READING)] == 1  # Ivy
    assert ladder.transitions[(Rung.POSTING, None)] == 1  # Hugo


def test_engagement_ladder_for_one_department(s: SimpleNamespace) -> None:
    ladder = metrics.engagement_ladder(PERIOD, s.a.id)
    assert ladder.current == {
        Rung.READING: 1,
        Rung.REACTING: 1,
        Rung.REPLYING: 0,
        Rung.POSTING: 1,
        Rung.HELPING: 0,
        Rung.LEADING: 1,
    }


def test_a_fix_thread_that_solves_someone_elses_failure_is_helping(app: object) -> None:
    from forum.boards.models import PostKind
    from tests.factories import make_user
    from tests.insights import factories as f
    from tests.insights.factories import at

    asker, fixer = make_user(), make_user()
    failure = f.make_thread(asker, at(3), kind=PostKind.FAILURE)
    fix = f.make_thread(fixer, at(4), kind=PostKind.FIX)
    failure.solution_thread_id, failure.solved_at = fix.id, at(5)
    mine = f.make_thread(asker, at(6), kind=PostKind.QUESTION)
    f.solve(mine, f.first_post(mine), at(7))  # solving your own question is not helping
    ladder = metrics.engagement_ladder(PERIOD)
    assert ladder.current[Rung.HELPING] == 1
    assert ladder.current[Rung.POSTING] == 1


def test_escalation_stats(s: SimpleNamespace) -> None:
    stats = metrics.escalation_stats(PERIOD)
    assert stats.by_urgency == {"routine": 1, "urgent": 2, "crisis": 1}
    assert stats.total == 4
    assert (stats.climbed, stats.climbs) == (2, 3)
    assert stats.percent_climbed == 50.0
    assert stats.median_minutes_to_senior_ack == pytest.approx(40.0, abs=0.01)
    assert stats.median_minutes_to_resolve == pytest.approx(85.0, abs=0.01)
    housing = metrics.escalation_stats(PERIOD, s.b.id)
    assert housing.by_urgency == {"routine": 0, "urgent": 1, "crisis": 1}
    assert housing.median_minutes_to_senior_ack == pytest.approx(45.0, abs=0.01)
    assert housing.percent_climbed == 100.0


def test_profiles_needing_attention_by_reason(s: SimpleNamespace) -> None:
    attention = metrics.profiles_needing_attention(NOW)
    assert attention.total == 4
    assert attention.by_reason == {
        "review_overdue": 1,
        "campaign_ended": 1,
        "owner_missing": 1,
        "owner_deactivated": 1,
        "owner_away": 1,
        "backup_missing": 1,
        "backup_deactivated": 0,
        "backup_away": 1,
        "dormant_without_note": 1,
    }
    assert metrics.profiles_needing_attention(NOW, s.a.id).total == 1


def test_review_becomes_overdue_when_the_interval_runs_out(s: SimpleNamespace) -> None:
    # The profile reviewed on 1 Aug 2025 with a 6-month interval is due on 1 Feb 2026, and
    # overdue from the day after (the registry's rule).
    before_due = dt.datetime(2026, 2, 1, 23, 0, tzinfo=dt.UTC)
    after_due = dt.datetime(2026, 2, 2, 0, 1, tzinfo=dt.UTC)
    assert metrics.profiles_needing_attention(before_due, s.a.id).by_reason["review_overdue"] == 0
    assert metrics.profiles_needing_attention(after_due, s.a.id).by_reason["review_overdue"] == 1


def test_registry_health(s: SimpleNamespace) -> None:
    health = metrics.registry_health(NOW)
    assert health.by_status == {"proposed": 1, "active": 4, "dormant": 1}
    assert health.by_platform == {
        "Bluesky": {"proposed": 1, "active": 1},
        "Mastodon": {"active": 3, "dormant": 1},
    }
    assert health.total == 6
    assert health.review_overdue == 1
    assert health.single_owner == 1
    assert health.campaigns_past_end == 1
    assert health.reviewed_recently == 2
    assert health.percent_reviewed_recently == 33.3


def test_metric_values_for_goals_use_the_trailing_window(s: SimpleNamespace) -> None:
    # Twelve weeks up to 15 March cover the scenario's previous period too.
    assert metrics.metric_value("departments_without_enthusiast", NOW) == 1.0  # housing
    assert metrics.metric_value("profiles_needing_attention", NOW) == 4.0
    assert metrics.metric_value("median_minutes_to_senior_ack", NOW) == 40.0
    with pytest.raises(KeyError):
        metrics.metric_value("no_such_metric", NOW)
