"""Drafts with scripts on: what is typed in the thread page's reply form is saved as the person
types, and the same form on another visit (or device) opens with it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.boards.factories import make_board, make_thread
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_a_reply_typed_on_the_thread_page_comes_back_on_the_next_visit(
    page: Any, live_server: str
) -> None:
    thread = make_thread(make_board(), title="Caption style for videos")
    writer = make_user()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server, writer.email, PASSWORD)
    page.goto(f"{live_server}/t/{thread.id}")
    page.get_by_label("Your reply").fill("Sentence case, and no more than two lines")
    page.get_by_text("Draft saved.").wait_for()

    page.goto(f"{live_server}/")
    page.goto(f"{live_server}/t/{thread.id}")
    page.get_by_text("Your draft is back.").wait_for()
    assert page.get_by_label("Your reply").input_value() == (
        "Sentence case, and no more than two lines"
    )
    page.get_by_role("button", name="Post reply").click()
    page.get_by_text("Sentence case, and no more than two lines").first.wait_for()
    page.goto(f"{live_server}/t/{thread.id}")
    assert page.get_by_label("Your reply").input_value() == ""
    assert errors == []
