"""Journey 5: a senior reads the insights and the strategy, edits a goal, and endorses the new
version."""

from __future__ import annotations

import pytest

from forum.extensions import db
from forum.insights import services
from tests.browser.journeys.journey import Journey, sign_in_as
from tests.factories import PASSWORD
from tests.insights import scenario
from tests.insights.test_services import goal

pytestmark = pytest.mark.browser


def test_senior_reads_insights_and_endorses_the_edited_strategy(journey: Journey) -> None:
    s = scenario.build()
    services.save_strategy(s.frank, vision="Everyone helps.", goals=[goal(target=1)])
    db.session.commit()

    # Carol, a senior, looks at the numbers for the scenario's fortnight, then the strategy.
    carol = journey.person("carol")
    sign_in_as(carol, journey, s.carol.email, PASSWORD)
    carol.get_by_role("link", name="Insights").first.click()
    journey.step(carol, "insights")
    carol.get_by_label("From", exact=True).fill("2026-03-02")
    carol.get_by_label("To", exact=True).fill("2026-03-15")
    carol.get_by_role("button", name="Show").click()
    carol.wait_for_url("**/insights?from=2026-03-02*")
    assert carol.get_by_role("img", name="New threads per week by kind").is_visible()
    journey.step(carol, "insights for a fortnight")
    carol.get_by_role("link", name="Strategy").first.click()
    carol.get_by_role("heading", name="An enthusiast in every department").wait_for()
    journey.step(carol, "strategy")

    # Carol tightens the goal's target: version 2.
    carol.get_by_role("link", name="Edit (saves a new version)").click()
    journey.step(carol, "edit strategy")
    goal_one = carol.get_by_role("group", name="Goal 1")
    goal_one.get_by_label("Goal", exact=True).fill("No department without an enthusiast")
    goal_one.get_by_label("Target value").fill("0")
    carol.get_by_role("button", name="Save as a new version").click()
    carol.get_by_role("heading", name="No department without an enthusiast").wait_for()
    assert carol.get_by_text("Version 2,").is_visible()
    journey.step(carol, "version 2")

    # Carol endorses the version she wrote.
    carol.get_by_role("button", name="Endorse version 2").click()
    endorsements = carol.get_by_role("region", name="Endorsements")
    endorsements.get_by_text("Endorsed by Carol (Senior)").wait_for()
    journey.step(carol, "endorsed")
