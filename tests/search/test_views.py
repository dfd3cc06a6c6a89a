"""The /search page: form controls, results, safety, visibility, paging and status notices."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from forum.boards.models import PostKind
from forum.search import indexing
from tests.factories import make_department, make_user
from tests.search.factories import make_board, make_reply, make_thread

Login = Callable[[Any], FlaskClient]


def test_anonymous_people_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/search?q=anything")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_nav_links_to_search_and_the_page_has_labelled_controls(app: Flask, login: Login) -> None:
    housing = make_department()
    make_board(slug="it-help", name="IT help")
    make_board(slug="housing-only", name="Housing only", department=housing)
    client = login(make_user())
    html = client.get("/search").get_data(as_text=True)
    assert re.search(r'<a href="/search"[^>]*>Search</a>', html)
    assert 'role="search"' in html
    for control in ("q", "kind", "board"):
        assert f'<label for="{control}">' in html
    assert '<option value="failure">Failure</option>' in html
    assert '<option value="it-help">IT help</option>' in html
    assert "housing-only" not in html  # a board the person cannot see is not offered
    assert "result" not in html.split("How to search")[0].split("</form>")[1]


def test_results_show_title_kind_board_and_marked_snippet(app: Flask, login: Login) -> None:
    board = make_board(slug="it-help", name="IT help")
    thread = make_thread(
        board, kind=PostKind.FAILURE, title="Printer jam", body="The printer jams on duplex jobs."
    )
    reply = make_reply(thread, body="Duplex off fixed it.")
    html = login(make_user()).get("/search?q=duplex").get_data(as_text=True)
    # One result for the thread, both its matching posts beneath it.
    assert "1 result" in html and html.count('class="search-result"') == 1
    assert html.count('class="search-post"') == 2
    assert f'href="/t/{thread.id}-printer-jam"' in html
    assert f'href="/p/{reply.id}"' in html
    assert "<mark>duplex</mark>" in html and "<mark>Duplex</mark>" in html
    assert "Failure" in html and "IT help" in html


def test_kind_and_board_controls_narrow_the_search(app: Flask, login: Login) -> None:
    it_board = make_board(slug="it-help", name="IT help")
    comms = make_board(slug="comms", name="Comms")
    make_thread(it_board, kind=PostKind.FAILURE, title="Router failure one")
    make_thread(it_board, kind=PostKind.FIX, title="Router fix two")
    make_thread(comms, kind=PostKind.FAILURE, title="Router failure three")
    client = login(make_user())
    html = client.get("/search?q=router&kind=failure&board=it-help").get_data(as_text=True)
    assert "Router failure one" in html
    assert "Router fix two" not in html and "Router failure three" not in html
    assert '<option selected value="failure">' in html
    assert '<option selected value="it-help">' in html


def test_markup_in_posts_is_never_rendered(app: Flask, login: Login) -> None:
    make_thread(
        make_board(),
        title="<img src=x onerror=alert(1)> title",
        body="<script>alert('boom')</script> gadget",
    )
    html = login(make_user()).get("/search?q=gadget").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x" in html


def test_another_departments_threads_never_appear(app: Flask, login: Login) -> None:
    housing, parks = make_department(), make_department()
    make_thread(make_board(department=housing), title="Housing secret budget")
    make_thread(make_board(), title="Public budget")
    client = login(make_user(department=parks))
    html = client.get("/search?q=budget").get_data(as_text=True)
    assert "Public budget" in html and "Housing secret" not in html
    assert "1 result" in html


def test_result_pages_link_with_rel_prev_and_next(app: Flask, login: Login) -> None:
    board = make_board()
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for n in range(23):
        make_thread(board, title=f"Toaster {n}", now=start + dt.timedelta(days=n))
    client = login(make_user())
    first = client.get("/search?q=toaster&kind=question").get_data(as_text=True)
    assert first.count('class="search-result"') == 20
    assert 'rel="next" href="/search?page=2&amp;q=toaster&amp;kind=question"' in first
    assert 'rel="prev"' not in first
    second = client.get("/search?q=toaster&kind=question&page=2").get_data(as_text=True)
    assert second.count('class="search-result"') == 3
    assert 'rel="prev" href="/search?page=1&amp;q=toaster&amp;kind=question"' in second
    assert 'rel="next"' not in second


def test_bad_input_is_a_400_with_the_message_on_the_page(app: Flask, login: Login) -> None:
    client = login(make_user())
    response = client.get("/search?q=printer&kind=rant")
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    response = client.get("/search?q=printer+date:sometime")
    assert response.status_code == 400
    assert "Cannot read the date" in response.get_data(as_text=True)


def test_a_rebuild_elsewhere_shows_a_notice_not_an_error(app: Flask, login: Login) -> None:
    make_thread(make_board(), title="Laminator")
    client = login(make_user())
    # Held through the backend: a lock file for Whoosh, an advisory lock on PostgreSQL.
    with indexing.get_backend().rebuild_lock() as rebuilding:
        assert rebuilding
        response = client.get("/search?q=laminator")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "being rebuilt" in html and "Laminator" in html


def test_tag_and_author_links_filter_and_can_be_cleared(app: Flask, login: Login) -> None:
    board = make_board()
    priya = make_user(email="priya.shah@example.org", display_name="Priya Shah")
    make_thread(board, author=priya, title="Photo consent form", tags=["photos"])
    make_thread(board, title="Photo booth", tags=["events"])
    client = login(make_user())
    html = client.get("/search?q=photo&tag=photos&author=priya").get_data(as_text=True)
    assert "Photo consent form" in html and "Photo booth" not in html
    assert 'href="/search?q=photo">show everything</a>' in html
