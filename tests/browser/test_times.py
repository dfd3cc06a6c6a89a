"""Recent times read as "just now" / "5 min ago" with the exact time kept; without JavaScript
the exact time shows."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser

SIGNED_IN = 'td[data-label="Signed in"] time'


def test_a_recent_time_reads_relative_and_keeps_the_exact_one(page: Any, live_server: str) -> None:
    user = make_user()
    sign_in(page, live_server, user.email, PASSWORD)
    page.goto(live_server + "/settings")
    stamp = page.locator(SIGNED_IN).first
    exact = stamp.get_attribute("data-exact")
    assert exact is not None and exact.endswith(" UTC")
    assert stamp.inner_text() == "just now"
    assert stamp.get_attribute("title") == exact
    assert page.csp_errors == []


def test_without_javascript_the_exact_time_shows(browser: Any, live_server: str) -> None:
    user = make_user()
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server, user.email, PASSWORD)
        page.goto(live_server + "/settings")
        text = page.locator(SIGNED_IN).first.inner_text()
        assert text.endswith(" UTC") and "ago" not in text
    finally:
        context.close()
