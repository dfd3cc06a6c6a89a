"""Similar threads with scripts on: typing a new question's title lists the threads that may
already hold the answer, under the title, without leaving the form; without scripts the form
posts as before."""

from __future__ import annotations

from typing import Any

import pytest

from tests.boards.factories import make_board, make_thread
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_department, make_user

pytestmark = pytest.mark.browser


def test_typing_a_title_lists_similar_threads_the_person_may_see(
    page: Any, live_server: str
) -> None:
    board = make_board(name="IT help")
    answer = make_thread(board, title="Badge printer prints blank cards", tags=["printers"])
    secret = make_thread(
        make_board(department=make_department()), title="Badge printer budget for housing"
    )
    writer = make_user()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server, writer.email, PASSWORD)
    page.goto(f"{live_server}/b/{board.slug}/new")
    similar = page.get_by_role("region", name="Similar threads: is the answer here already?")
    assert not similar.is_visible()
    page.evaluate("() => { window.stillHere = 'yes'; }")

    page.get_by_label("Title").press_sequentially("Blank badge cards", delay=30)
    link = similar.get_by_role("link", name="Badge printer prints blank cards")
    link.wait_for()
    assert link.get_attribute("href") == f"/t/{answer.id}-{answer.slug}"
    assert secret.title not in similar.inner_text()
    assert page.evaluate("() => window.stillHere") == "yes"

    # Clearing the title clears the list.
    page.get_by_label("Title").fill("")
    similar.wait_for(state="hidden")
    assert errors == [] and page.csp_errors == []  # type: ignore[attr-defined]


def test_without_scripts_the_form_posts_as_before(browser: Any, live_server: str) -> None:
    board = make_board()
    make_thread(board, title="Badge printer prints blank cards")
    writer = make_user()
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = context.new_page()
    try:
        sign_in(page, live_server, writer.email, PASSWORD)
        page.goto(f"{live_server}/b/{board.slug}/new")
        assert not page.get_by_text("Similar threads").is_visible()
        page.get_by_label("Title").fill("Blank badge cards again")
        page.get_by_label("What kind of post is this?").select_option("question")
        page.get_by_label("What happened?").fill("Cards come out blank since Monday.")
        page.get_by_role("button", name="Post thread").click()
        page.get_by_role("heading", name="Blank badge cards again").wait_for()
    finally:
        context.close()
