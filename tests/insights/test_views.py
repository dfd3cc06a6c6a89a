"""Dashboard, CSV and strategy pages: who may see them, what they render, how forms behave."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from forum.accounts.models import Role
from forum.extensions import db
from forum.insights import report, services
from forum.insights.models import StrategyVersion
from tests.factories import make_department, make_user
from tests.insights import scenario
from tests.insights.test_services import goal

RANGE = "from=2026-03-02&to=2026-03-15"


@pytest.fixture
def s(app: object) -> SimpleNamespace:
    return scenario.build()


def test_members_get_403_on_the_dashboard_and_csv(app: object, login: Callable[..., Any]) -> None:
    client = login(make_user(Role.MEMBER, department=make_department()))
    assert client.get("/insights").status_code == 403
    assert client.get("/insights/posts_by_kind.csv").status_code == 403
    assert b'href="/insights"' not in client.get("/strategy").data


def test_senior_sees_every_section_with_accessible_charts(
    s: SimpleNamespace, login: Callable[..., Any]
) -> None:
    client = login(s.carol)
    response = client.get(f"/insights?{RANGE}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for heading in (
        "What people share",
        "Contributors and coverage",
        "Getting answers",
        "Escalations",
        "Registry health",
        "Engagement ladder",
    ):
        assert heading in html
    # Every chart is an image with a title and description, and a table behind a toggle.
    svgs = re.findall(
        r'<svg class="chart-svg[^"]*"[^>]*aria-labelledby="([\w-]+)-title \1-desc"', html
    )
    assert len(svgs) >= 6
    for chart_id in svgs:
        assert f'<title id="{chart_id}-title">' in html
        assert f'<desc id="{chart_id}-desc">' in html
    assert html.count('<details class="chart-data">') >= len(svgs)
    # Charts are inline SVG: no script in the page's content (the layout's own
    # progressive-enhancement script comes after <main>, from a file).
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "style=" not in html
    assert 'type="date"' in html and 'name="from"' in html and 'value="2026-03-02"' in html
    assert "Nobody answered me" in html and "Hidden reply only" in html  # seniors see all boards
    assert "Housing" in html and "Waste" in html  # departments without an active enthusiast


def test_enthusiast_gets_their_own_department_only(
    s: SimpleNamespace, login: Callable[..., Any]
) -> None:
    client = login(s.bob)
    html = client.get(f"/insights?{RANGE}").get_data(as_text=True)
    assert "Insights: Parks" in html
    assert 'name="department"' not in html
    assert client.get(f"/insights?{RANGE}&department=housing").status_code == 403
    assert client.get(f"/insights/posts_by_kind.csv?{RANGE}&department=housing").status_code == 403


def test_enthusiast_does_not_see_titles_on_boards_they_cannot_see(
    s: SimpleNamespace, login: Callable[..., Any]
) -> None:
    from tests.insights import factories as f
    from tests.insights.factories import at

    f.make_thread(s.alice, at(13), board=s.housing_board, title="Parks asks Housing")
    db.session.commit()
    html = login(s.bob).get(f"/insights?{RANGE}").get_data(as_text=True)
    assert "Parks asks Housing" not in html  # Bob may not see the Housing-only board
    assert "Unanswered</dt><dd>1<" in html  # ... but the count still includes it
    login(s.bob).post("/logout")
    assert "Parks asks Housing" in login(s.carol).get(
        f"/insights?{RANGE}&department=parks"
    ).get_data(as_text=True)


def test_bad_range_is_reported_by_the_field(s: SimpleNamespace, login: Callable[..., Any]) -> None:
    response = login(s.frank).get("/insights?from=2026-03-10&to=2026-03-01")
    assert response.status_code == 400
    assert "end date on or after the start date" in response.get_data(as_text=True)
    assert login(s.frank).get("/insights?from=not-a-date").status_code == 400


def test_csv_of_every_series_matches_the_numbers(
    s: SimpleNamespace, login: Callable[..., Any]
) -> None:
    client = login(s.frank)
    html = client.get(f"/insights?{RANGE}").get_data(as_text=True)
    for name in report.SERIES_NAMES:
        assert f"/insights/{name}.csv?" in html, name
        response = client.get(f"/insights/{name}.csv?{RANGE}")
        assert response.status_code == 200, name
        assert response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
    rows = list(
        csv.reader(
            io.StringIO(client.get(f"/insights/posts_by_kind.csv?{RANGE}").get_data(as_text=True))
        )
    )
    assert rows == [
        ["week_starting", "win", "failure", "fix", "question", "story", "total"],
        ["2026-03-02", "1", "0", "0", "1", "0", "2"],
        ["2026-03-09", "0", "1", "0", "3", "1", "5"],
    ]
    ladder = list(
        csv.reader(
            io.StringIO(
                client.get(f"/insights/engagement_ladder.csv?{RANGE}").get_data(as_text=True)
            )
        )
    )
    assert ladder[4] == ["posting", "Posting", "2", "4"]
    assert client.get("/insights/nonsense.csv").status_code == 404


def test_csv_cells_that_look_like_formulas_are_neutralized(
    s: SimpleNamespace, login: Callable[..., Any]
) -> None:
    s.t7.title = '=HYPERLINK("http://evil")'
    db.session.commit()
    body = login(s.frank).get(f"/insights/unanswered_questions.csv?{RANGE}").get_data(as_text=True)
    assert "'=HYPERLINK" in body


def test_nav_links_by_role(app: object, login: Callable[..., Any]) -> None:
    member = make_user(Role.MEMBER)
    html = login(member).get("/strategy").get_data(as_text=True)
    assert 'href="/strategy"' in html and 'href="/insights"' not in html
    login(member).post("/logout")
    enthusiast = make_user(Role.ENTHUSIAST, department=make_department())
    html = login(enthusiast).get("/strategy").get_data(as_text=True)
    assert 'href="/insights"' in html


def test_anonymous_people_are_sent_to_sign_in(client: Any) -> None:
    for path in ("/insights", "/strategy", "/strategy/versions", "/insights/posts_by_kind.csv"):
        assert client.get(path).status_code == 302


def test_strategy_page_without_a_version(app: object, login: Callable[..., Any]) -> None:
    html = login(make_user(Role.ADMIN)).get("/strategy").get_data(as_text=True)
    assert "No strategy has been written yet" in html
    assert 'href="/strategy/edit"' in html


def test_admin_edits_the_strategy_and_a_new_version_is_saved(
    app: object, login: Callable[..., Any]
) -> None:
    admin = make_user(Role.ADMIN, display_name="Ada Admin")
    client = login(admin)
    assert client.get("/strategy/edit").status_code == 200
    data = {
        "vision": "Every department helps itself.",
        "goals-0-title": "An enthusiast in every department",
        "goals-0-metric_key": "departments_without_enthusiast",
        "goals-0-comparison": "at_most",
        "goals-0-target": "0",
        "goals-0-revisit_on": "2026-09-01",
        "goals-1-title": "",
        "goals-1-metric_key": "active_contributors",
        "goals-1-comparison": "at_least",
    }
    response = client.post("/strategy/edit", data=data)
    assert response.status_code == 302
    html = client.get("/strategy").get_data(as_text=True)
    assert "Version 1" in html and "Every department helps itself." in html
    assert "An enthusiast in every department" in html and "Ada Admin" in html
    assert ">1 Sep 2026</time>" in html
    client.post("/strategy/edit", data={**data, "vision": "Second thoughts."})
    assert db.session.scalar(db.select(db.func.count()).select_from(StrategyVersion)) == 2
    versions = client.get("/strategy/versions").get_data(as_text=True)
    assert "Version 2" in versions and "Version 1" in versions
    assert "Every department helps itself." in client.get("/strategy/v/1").get_data(as_text=True)
    assert "earlier version" in client.get("/strategy/v/1").get_data(as_text=True)


def test_strategy_form_errors_are_shown(app: object, login: Callable[..., Any]) -> None:
    client = login(make_user(Role.ADMIN))
    response = client.post(
        "/strategy/edit",
        data={
            "vision": "V",
            "goals-0-title": "Half a goal",
            "goals-0-metric_key": "active_contributors",
            "goals-0-comparison": "at_least",
        },
    )
    assert response.status_code == 400
    assert "Needed for a goal." in response.get_data(as_text=True)
    response = client.post("/strategy/edit", data={"vision": "V"})
    assert response.status_code == 400
    assert "Add at least one goal." in response.get_data(as_text=True)


def test_only_seniors_and_admins_edit(app: object, login: Callable[..., Any]) -> None:
    client = login(make_user(Role.ENTHUSIAST))
    assert "Write the strategy" not in client.get("/strategy").get_data(as_text=True)
    assert client.get("/strategy/edit").status_code == 403
    assert client.post("/strategy/edit", data={"vision": "x"}).status_code == 403
    client.post("/logout")
    client = login(make_user(Role.SENIOR))
    assert "Write the strategy" in client.get("/strategy").get_data(as_text=True)
    assert client.get("/strategy/edit").status_code == 200


def test_senior_endorses_and_who_and_when_is_shown(app: object, login: Callable[..., Any]) -> None:
    services.save_strategy(make_user(Role.ADMIN), vision="V", goals=[goal()])
    db.session.commit()
    senior = make_user(Role.SENIOR, display_name="Priya Senior")
    client = login(senior)
    assert "Endorse version 1" in client.get("/strategy").get_data(as_text=True)
    assert client.post("/strategy/v/1/endorse").status_code == 302
    html = client.get("/strategy").get_data(as_text=True)
    assert "Endorsed by <strong>Priya Senior</strong> (Senior)" in html
    assert "Endorse version 1" not in html
    assert client.post("/strategy/v/1/endorse").status_code == 409
    assert client.post("/strategy/v/9/endorse").status_code == 404


def test_members_cannot_endorse(app: object, login: Callable[..., Any]) -> None:
    services.save_strategy(make_user(Role.ADMIN), vision="V", goals=[goal()])
    db.session.commit()
    client = login(make_user(Role.MEMBER))
    assert "Endorse version" not in client.get("/strategy").get_data(as_text=True)
    assert client.post("/strategy/v/1/endorse").status_code == 403


def _count_queries(client: Any, path: str) -> int:
    from sqlalchemy import event

    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


def test_dashboard_query_count_does_not_grow_with_the_data(
    app: object, login: Callable[..., Any]
) -> None:
    from tests.insights import factories as f
    from tests.insights.factories import at

    department = make_department()
    admin = make_user(Role.ADMIN, department=department)
    client = login(admin)
    people = [make_user(department=department) for _ in range(3)]

    def add_threads(n: int) -> None:
        for i in range(n):
            thread = f.make_thread(people[i % 3], at(3 + i % 10))
            f.make_post(thread, people[(i + 1) % 3], at(3 + i % 10, 5))
        db.session.commit()

    add_threads(3)
    few = _count_queries(client, f"/insights?{RANGE}")
    add_threads(60)
    assert _count_queries(client, f"/insights?{RANGE}") == few


def test_the_dashboard_loads_the_live_profiles_once(
    s: SimpleNamespace, login: Callable[..., Any]
) -> None:
    """Needs-attention and registry health share one load of every live profile (the
    register may hold thousands)."""
    from tests.factories import sql_statements

    client = login(s.frank)  # an admin: every department
    client.get(f"/insights?{RANGE}")
    with sql_statements(transaction_control=False) as seen:
        assert client.get(f"/insights?{RANGE}").status_code == 200

    profile_loads = [q for q in seen if q.lstrip().startswith("SELECT social_profiles.id,")]
    assert len(profile_loads) == 1, profile_loads
