"""Search that reads like a forum: one result per thread with its best posts beneath it, totals
and pages that count threads, plain words that find tags, and the three sort orders. Every test
runs on each backend (see conftest)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from forum.accounts.models import Role
from forum.boards import services as boards
from forum.boards.models import ReactionKind
from forum.extensions import db
from forum.search import services
from tests.factories import make_department, make_user
from tests.search.factories import first_post, found, hits, make_board, make_reply, make_thread

Login = Callable[[Any], FlaskClient]
Api = Callable[[Any], Any]


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def test_a_thread_is_one_result_with_its_best_posts_beneath_it(
    app: Flask, login: Login, api: Api
) -> None:
    board = make_board()
    busy = make_thread(board, title="Ferret hutch cleaning", body="The ferret hutch smells.")
    replies = [make_reply(busy, body=f"Ferret tip {n}: change the straw.") for n in range(5)]
    quiet = make_thread(board, title="Hutch supplies", body="One ferret bowl needed.")
    reader = make_user()

    outcome = services.search(reader, q="ferret")
    assert outcome.page.total == 2
    assert [row.thread_id for row in outcome.page.items] == [busy.id, quiet.id]
    best = outcome.page.items[0]
    # The title match ranks the opening post first; two more of its six matches follow.
    assert best.posts[0].post_id == first_post(busy).id
    assert len(best.posts) == services.POSTS_PER_THREAD
    assert {post.post_id for post in best.posts[1:]} <= {reply.id for reply in replies}
    assert (best.post_id, best.snippet_html) == (best.posts[0].post_id, best.posts[0].snippet_html)

    body = api(reader).get("/api/v1/search?q=ferret").get_json()
    thread_ids = [result["thread_id"] for result in body["results"]]
    assert thread_ids == [busy.id, quiet.id] and len(set(thread_ids)) == len(thread_ids)
    assert body["total"] == 2
    assert [len(result["posts"]) for result in body["results"]] == [3, 1]

    html = login(reader).get("/search?q=ferret").get_data(as_text=True)
    assert "2 results" in html
    assert html.count('class="search-result"') == 2 and html.count('class="search-post"') == 4
    assert html.count(f'href="/t/{busy.id}-') >= 1


def test_pages_and_totals_count_threads(app: Flask, login: Login, api: Api) -> None:
    board = make_board()
    threads = []
    for n in range(23):
        thread = make_thread(board, title=f"Gannet colony {n}", now=utc(2026, 1, 1 + n))
        make_reply(thread, body="Another gannet counted.", now=utc(2026, 2, 1 + n))
        threads.append(thread)
    reader = make_user()
    first = services.search(reader, q="gannet")
    second = services.search(reader, q="gannet", page=2)
    assert first.page.total == second.page.total == 23
    assert first.page.pages == 2
    assert (len(first.page.items), len(second.page.items)) == (services.PER_PAGE, 3)
    shown = [row.thread_id for row in first.page.items + second.page.items]
    assert sorted(shown) == sorted(thread.id for thread in threads)
    assert all(len(row.posts) == 2 for row in first.page.items + second.page.items)

    client = api(reader)
    pages = [client.get(f"/api/v1/search?q=gannet&page={n}").get_json() for n in (1, 2, 3)]
    assert [page["total"] for page in pages] == [23, 23, 23]
    ids = [r["thread_id"] for page in pages for r in page["results"]]
    assert len(ids) == len(set(ids)) == 23
    html = login(reader).get("/search?q=gannet&page=2").get_data(as_text=True)
    assert "23 results" in html and "page 2 of 2" in html


def test_a_plain_word_finds_a_thread_by_its_tags(app: Flask, api: Api, login: Login) -> None:
    board = make_board()
    tagged = make_thread(
        board,
        title="Page verification request",
        body="How do we get the blue tick?",
        tags=["facebook", "outages"],
    )
    make_reply(tagged, body="Ask the platform team.")
    other = make_thread(board, title="Newsletter schedule", body="Weekly on Mondays.")
    reader = make_user()
    opening = (tagged.id, first_post(tagged).id)

    assert hits(reader, "facebook") == [opening]
    # Only the thread's own document carries its tags: its replies are not found by them.
    assert found(reader, "facebook") == [opening]
    assert hits(reader, "Facebook verification") == [opening]
    # Tags are stemmed as words are: "outage" finds #outages.
    assert hits(reader, "outage") == [opening]
    assert hits(reader, "facebook newsletter") == []
    assert hits(reader, "facebook OR newsletter")[0:2] in (
        [opening, (other.id, first_post(other).id)],
        [(other.id, first_post(other).id), opening],
    )
    # tag: still matches a whole tag only (and every post of the thread, as a filter).
    assert [thread_id for thread_id, _ in hits(reader, "tag:facebook")] == [tagged.id]
    assert hits(reader, "tag:face") == []
    assert api(reader).get("/api/v1/search?q=facebook").get_json()["total"] == 1
    assert "Page verification request" in login(reader).get("/search?q=facebook").get_data(
        as_text=True
    )


def test_a_tag_word_on_a_department_board_is_never_shown_or_counted_to_others(
    app: Flask, api: Api, login: Login
) -> None:
    housing = make_department()
    secret = make_thread(
        make_board(department=housing),
        title="Tenant list",
        body="Attached.",
        tags=["zanzibar"],
    )
    outsider, insider = make_user(), make_user(department=housing)
    assert services.search(outsider, q="zanzibar").page.total == 0
    body = api(outsider).get("/api/v1/search?q=zanzibar").get_json()
    assert body == {"results": [], "total": 0, "rebuilding": False, "pending": 0}
    html = login(outsider).get("/search?q=zanzibar").get_data(as_text=True)
    assert "0 results" in html and "Tenant list" not in html
    assert hits(insider, "zanzibar") == [(secret.id, first_post(secret).id)]


def test_newest_orders_threads_by_their_newest_matching_post(app: Flask, api: Api) -> None:
    board = make_board()
    old_title = make_thread(board, title="Puffin survey", now=utc(2026, 1, 1))
    make_reply(old_title, body="A puffin again.", now=utc(2026, 5, 1))
    middle = make_thread(board, title="Seabird notes", body="One puffin.", now=utc(2026, 3, 1))
    recent = make_thread(board, title="Cliff walk", body="Puffin burrows.", now=utc(2026, 4, 1))
    reader = make_user()
    newest = [
        row.thread_id for row in services.search(reader, q="puffin", sort="newest").page.items
    ]
    assert newest == [old_title.id, recent.id, middle.id]
    body = api(reader).get("/api/v1/search?q=puffin&sort=newest").get_json()
    assert [r["thread_id"] for r in body["results"]] == newest and body["total"] == 3
    # Relevance (the default) puts the title match first.
    assert hits(reader, "puffin")[0][0] == old_title.id


def test_most_helpful_puts_solved_threads_first_then_helpful_marks(
    app: Flask, api: Api, login: Login
) -> None:
    board = make_board()
    plain = make_thread(board, title="Stapler jam", body="The stapler jams.")
    marked = make_thread(board, title="Stapler refill", body="Stapler refills run out.")
    solved = make_thread(board, title="Stapler broken", body="Our stapler broke.")
    answer = make_reply(solved, body="Hit it firmly.")
    helpful_reply = make_reply(marked, body="Order in bulk.")
    hidden_reply = make_reply(plain, body="Use the big one.")
    for _ in range(2):
        boards.toggle_reaction(helpful_reply, user=make_user(), kind=ReactionKind.HELPFUL)
    # Marks on a hidden post do not count.
    for _ in range(3):
        boards.toggle_reaction(hidden_reply, user=make_user(), kind=ReactionKind.HELPFUL)
    db.session.commit()
    boards.hide_post(hidden_reply, actor=make_user(Role.ADMIN), reason="Off topic")
    boards.mark_solution(solved, actor=solved.author, post=answer)
    db.session.commit()
    reader = make_user()

    order = [
        row.thread_id for row in services.search(reader, q="stapler", sort="helpful").page.items
    ]
    assert order == [solved.id, marked.id, plain.id]
    body = api(reader).get("/api/v1/search?q=stapler&sort=helpful").get_json()
    assert [r["thread_id"] for r in body["results"]] == order
    assert [r["is_solved"] for r in body["results"]] == [True, False, False]
    html = login(reader).get("/search?q=stapler&sort=helpful").get_data(as_text=True)
    assert '<option selected value="helpful">Most helpful</option>' in html
    titles = re.findall(r'class="search-result-title"><a href="[^"]+">([^<]+)<', html)
    assert titles == ["Stapler broken", "Stapler refill", "Stapler jam"]
    # Page links keep the order.
    assert "Solved" in html


def test_an_unknown_sort_is_a_clear_400_on_the_api_and_the_page(
    app: Flask, api: Api, login: Login
) -> None:
    make_thread(make_board(), title="Anything")
    response = api(make_user()).get("/api/v1/search?q=anything&sort=loudest")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert set(error["fields"]) == {"sort"} and "helpful" in error["fields"]["sort"]
    page = login(make_user()).get("/search?q=anything&sort=loudest")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "Sort by one of: relevance, newest, helpful." in html
    assert "Anything" not in html.split("</form>")[1]


def test_the_page_offers_a_labelled_sort_select_and_pages_keep_it(app: Flask, login: Login) -> None:
    board = make_board()
    for n in range(21):
        make_thread(board, title=f"Osprey nest {n}")
    html = login(make_user()).get("/search?q=osprey&sort=newest").get_data(as_text=True)
    assert '<label for="sort">Sort by</label>' in html
    assert '<option value="">Best match</option>' in html
    assert '<option selected value="newest">Newest</option>' in html
    assert "sort=newest" in html.split('aria-label="Result pages"')[1]
