"""In Chromium at 375px: the dashboard and strategy fit, charts need no script, tables open."""

from __future__ import annotations

from typing import Any

import pytest

from forum.extensions import db
from forum.insights import services
from tests.browser.conftest import assert_no_horizontal_scroll, sign_in
from tests.factories import PASSWORD
from tests.insights import scenario
from tests.insights.test_services import goal

pytestmark = pytest.mark.browser


def test_dashboard_and_strategy_at_375px_with_the_keyboard(
    page: Any, live_server: str, app: object
) -> None:
    s = scenario.build()
    services.save_strategy(s.frank, vision="Everyone helps.", goals=[goal()])
    db.session.commit()
    sign_in(page, live_server, s.frank.email, PASSWORD)
    page.goto(live_server + "/insights?from=2026-03-02&to=2026-03-15")
    assert_no_horizontal_scroll(page)
    chart = page.get_by_role("img", name="New threads per week by kind")
    assert chart.is_visible()
    toggle = page.locator("summary", has_text="Show the numbers").first
    toggle.focus()
    page.keyboard.press("Enter")
    assert page.get_by_role("columnheader", name="Week starting").is_visible()
    page.get_by_label("From").fill("2026-03-09")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/insights?from=2026-03-09*")
    page.goto(live_server + "/strategy")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Endorse version 1").click()
    assert page.get_by_text("Endorsed by").is_visible()
    page.goto(live_server + "/strategy/edit")
    assert_no_horizontal_scroll(page)
    assert page.csp_errors == []
