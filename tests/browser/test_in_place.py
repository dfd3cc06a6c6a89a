"""Replies and reactions update the thread page in place (no page load) when scripts run, and
the same forms still work as plain POSTs without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

from tests.boards.factories import make_board, make_thread
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser

REPLY = "Restart the *scheduler* before republishing."


def _thread() -> tuple[Any, Any]:
    author = make_user(display_name="Ada Author")
    reader = make_user(display_name="Ben Reader")
    thread = make_thread(make_board(), author=author, title="Scheduler posted twice")
    return thread, reader


def test_reaction_and_reply_without_a_page_load(page: Any, live_server: str) -> None:
    thread, reader = _thread()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server, reader.email, PASSWORD)
    page.goto(f"{live_server}/t/{thread.id}")
    # A marker on the window survives only if the page is never loaded again.
    page.evaluate("() => { window.stillHere = 'yes'; }")

    first = page.get_by_role("article", name="Ada Author")
    helpful = first.get_by_role("button", name="Helpful")
    assert helpful.get_attribute("aria-pressed") == "false"
    helpful.click()
    first.get_by_role("button", name="Helpful 1").wait_for()
    assert helpful.get_attribute("aria-pressed") == "true"
    helpful.click()
    first.get_by_role("button", name="Helpful 0").wait_for()
    assert helpful.get_attribute("aria-pressed") == "false"

    page.get_by_label("Your reply").fill(REPLY)
    page.get_by_role("button", name="Post reply").click()
    mine = page.get_by_role("article", name="Ben Reader")
    mine.wait_for()
    assert mine.locator("em", has_text="scheduler").is_visible()
    assert page.evaluate("() => window.stillHere") == "yes"
    # The composer is empty again, the address names the post, the focus is on it, and a
    # screen reader hears that it was posted.
    assert page.get_by_label("Your reply").input_value() == ""
    post_id = mine.get_attribute("id")
    assert page.url.endswith(f"#{post_id}")
    assert page.evaluate("() => document.activeElement.id") == post_id
    page.get_by_role("status").filter(has_text="Your reply is posted.").wait_for()
    # The composer still previews after the page's content was replaced.
    page.get_by_label("Your reply").fill("**second** thought")
    page.get_by_role("region", name="Reply").locator("strong", has_text="second").wait_for()
    assert page.evaluate("() => window.stillHere") == "yes"
    assert page.csp_errors == []
    assert errors == []


def test_a_refused_reply_falls_back_to_the_servers_page(page: Any, live_server: str) -> None:
    thread, reader = _thread()
    sign_in(page, live_server, reader.email, PASSWORD)
    page.goto(f"{live_server}/t/{thread.id}")
    page.get_by_role("button", name="Post reply").click()  # an empty reply
    page.wait_for_url(f"{live_server}/t/{thread.id}/reply")
    assert page.get_by_text("Write something first.").first.is_visible()


def test_without_javascript_reactions_and_replies_are_plain_posts(
    browser: Any, live_server: str
) -> None:
    thread, reader = _thread()
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, live_server, reader.email, PASSWORD)
        page.goto(f"{live_server}/t/{thread.id}")
        with page.expect_navigation():
            page.get_by_role("article", name="Ada Author").get_by_role(
                "button", name="Helpful"
            ).click()
        first = page.get_by_role("article", name="Ada Author")
        assert first.get_by_role("button", name="Helpful 1").get_attribute("aria-pressed") == (
            "true"
        )
        page.get_by_label("Your reply").fill(REPLY)
        with page.expect_navigation():
            page.get_by_role("button", name="Post reply").click()
        mine = page.get_by_role("article", name="Ben Reader")
        assert mine.locator("em", has_text="scheduler").is_visible()
        assert page.url.endswith(f"#{mine.get_attribute('id')}")
    finally:
        context.close()
