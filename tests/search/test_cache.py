"""Cached result sets: reused while nothing changed, never across readers who see different
boards, and dropped by any index change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from forum.boards import services as boards
from forum.extensions import db
from forum.search import cache, services
from tests.factories import make_department, make_user, sql_statements
from tests.search.factories import admin, first_post, make_board, make_reply, make_thread

Login = Callable[[Any], FlaskClient]
Api = Callable[[Any], Any]


def test_a_repeated_search_is_answered_from_the_cache(app: Flask) -> None:
    board = make_board()
    for n in range(3):
        make_thread(board, title=f"Heron count {n}")
    reader = make_user()
    with sql_statements() as first:
        outcome = services.search(reader, q="heron")
    with sql_statements() as second:
        again = services.search(reader, q="heron")
    assert again.page.total == outcome.page.total == 3
    assert [row.post_id for row in again.page.items] == [row.post_id for row in outcome.page.items]
    # The second neither ranks again (PostgreSQL) nor checks every candidate against the
    # database (Whoosh); it still reads the rows it shows.
    assert len(second) < len(first)
    assert not any("ts_rank" in statement for statement in second)
    assert not any("deleted_at IS NOT NULL" in statement for statement in second)


def test_a_department_hit_is_never_shown_or_counted_from_someone_elses_cached_results(
    app: Flask, login: Login, api: Api
) -> None:
    housing = make_department()
    private = make_thread(make_board(department=housing), title="Kestrel nesting plan")
    public = make_thread(make_board(), title="Kestrel poster")
    insider, outsider = make_user(department=housing), make_user()

    # The insider's result set (counting the department thread) is cached first...
    assert services.search(insider, q="kestrel").page.total == 2
    assert services.search(insider, q="kestrel").page.total == 2
    # ...and the outsider, asking the same thing at the same index generation, gets their own.
    outcome = services.search(outsider, q="kestrel")
    assert outcome.page.total == 1
    assert [row.thread_id for row in outcome.page.items] == [public.id]
    html = login(outsider).get("/search?q=kestrel").get_data(as_text=True)
    assert "1 result" in html and "2 results" not in html and "nesting" not in html
    body = api(outsider).get("/api/v1/search?q=kestrel").get_json()
    assert body["total"] == 1 and [r["thread_id"] for r in body["results"]] == [public.id]
    # An admin (who sees every board) and the insider still find both.
    assert services.search(admin(), q="kestrel").page.total == 2
    insider_rows = services.search(insider, q="kestrel").page.items
    assert {row.thread_id for row in insider_rows} == {private.id, public.id}


def test_any_index_change_makes_a_new_generation(app: Flask) -> None:
    thread = make_thread(make_board(), title="Curlew sightings")
    reader = make_user()
    assert len(services.search(reader, q="curlew").page.items[0].posts) == 1
    reply = make_reply(thread, body="Two curlews on the marsh.")
    assert services.search(reader, q="curlew").page.total == 1
    assert len(services.search(reader, q="curlew").page.items[0].posts) == 2
    boards.hide_post(reply, actor=admin(), reason="Off topic")
    db.session.commit()
    assert len(services.search(reader, q="curlew").page.items[0].posts) == 1
    boards.delete_post(first_post(thread), actor=admin())
    db.session.commit()
    assert services.search(reader, q="curlew").page.total == 0


def test_the_cache_is_bounded() -> None:
    from forum.search.backend import ThreadMatches

    small = cache.ResultCache(max_entries=2)
    for n in range(3):
        small.put(("g", n), ThreadMatches(thread_ids=list(range(n))))
    assert len(small) == 2
    assert small.get(("g", 0)) is None
    assert small.get(("g", 2)) is not None


def test_a_helpful_mark_reorders_most_helpful_at_once_though_the_list_is_cached(
    app: Flask,
) -> None:
    board = make_board()
    first = make_thread(board, title="Plover count", body="Plover plover plover.")
    second = make_thread(board, title="Beach walk", body="Saw a plover.")
    reader = make_user()

    def helpful_order() -> list[int]:
        outcome = services.search(reader, q="plover", sort="helpful")
        return [row.thread_id for row in outcome.page.items]

    assert helpful_order() == [first.id, second.id]  # no marks: relevance
    assert helpful_order() == [first.id, second.id]
    boards.toggle_reaction(second.posts[0], user=make_user(), kind="helpful")
    db.session.commit()
    assert helpful_order() == [second.id, first.id]
    # Relevance, from the same cached list, is unchanged.
    assert [row.thread_id for row in services.search(reader, q="plover").page.items] == [
        first.id,
        second.id,
    ]


def test_cached_pages_of_threads_agree_with_each_other(app: Flask) -> None:
    board = make_board()
    for n in range(25):
        thread = make_thread(board, title=f"Dunlin flock {n}")
        make_reply(thread, body="More dunlin.")
    reader = make_user()
    pages = [services.search(reader, q="dunlin", page=n).page for n in (1, 2, 1, 2)]
    assert [len(page.items) for page in pages] == [20, 5, 20, 5]
    assert [row.thread_id for row in pages[0].items] == [row.thread_id for row in pages[2].items]
    seen = [row.thread_id for page in pages[:2] for row in page.items]
    assert len(seen) == len(set(seen)) == 25
    with sql_statements() as statements:
        again = services.search(reader, q="dunlin", page=2)
    assert [r.thread_id for r in again.page.items] == [r.thread_id for r in pages[1].items]
    assert not any("ts_rank" in statement for statement in statements)
    assert not any("deleted_at IS NOT NULL" in statement for statement in statements)
