"""GET /search/similar: threads like the title being typed on the new-thread form, only those the
person may see, at most five; and the form that asks for them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forum.search import indexing
from forum.search.backend import IndexState
from forum.search.whoosh_schema import SCHEMA_VERSION
from tests.factories import make_department, make_user
from tests.search.factories import hits, index_dir, make_board, make_reply, make_thread

Login = Callable[[Any], FlaskClient]


def similar(client: FlaskClient, title: str) -> list[dict[str, Any]]:
    response = client.get("/search/similar", query_string={"title": title})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    return list(response.get_json()["threads"])


def test_threads_sharing_the_titles_words_are_offered(app: Flask, login: Login) -> None:
    board = make_board(name="IT help")
    jam = make_thread(board, title="Printer jams on duplex jobs", tags=["printers"])
    make_reply(jam, body="Replace the roller.")
    scanner = make_thread(board, title="Scanner will not email", body="The printer scans fine.")
    make_thread(board, title="Newsletter launch")
    client = login(make_user())
    found = similar(client, "printer jam when printing two-sided")
    assert [t["thread_id"] for t in found] == [jam.id, scanner.id]
    assert found[0] == {
        "thread_id": jam.id,
        "title": "Printer jams on duplex jobs",
        "url": f"/t/{jam.id}-{jam.slug}",
        "kind": "question",
        "kind_label": "Question",
        "board": "IT help",
        "is_solved": False,
    }
    # One entry per thread, however many of its posts match.
    assert len({t["thread_id"] for t in similar(client, "roller printer")}) == len(
        similar(client, "roller printer")
    )


def test_at_most_five_and_nothing_for_a_title_too_short(app: Flask, login: Login) -> None:
    board = make_board()
    for n in range(7):
        make_thread(board, title=f"Wagtail sighting {n}")
    client = login(make_user())
    assert len(similar(client, "wagtail")) == 5
    assert similar(client, "wa") == []
    assert similar(client, "") == []
    assert similar(client, "the of and") == []


def test_threads_the_person_may_not_see_are_never_offered(app: Flask, login: Login) -> None:
    housing = make_department()
    secret = make_thread(make_board(department=housing), title="Arrears escalation list")
    public = make_thread(make_board(), title="Arrears letter template")
    assert [t["thread_id"] for t in similar(login(make_user()), "arrears list")] == [public.id]
    insider = app.test_client()
    member = make_user(department=housing)
    insider.post("/login", data={"email": member.email, "password": "correct horse battery"})
    assert {t["thread_id"] for t in similar(insider, "arrears list")} == {secret.id, public.id}


def test_query_syntax_in_a_title_is_read_as_words(app: Flask, login: Login) -> None:
    thread = make_thread(make_board(), title="Kiosk NOT printing receipts")
    client = login(make_user())
    for title in ('"kiosk (', "kiosk AND NOT", "kiosk: board:x tag:* [a TO b]", "NOT NOT kiosk"):
        assert [t["thread_id"] for t in similar(client, title)] == [thread.id], title
    assert similar(client, "x" * 5000) == []


def test_anonymous_people_are_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/search/similar?title=printer")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_new_thread_form_loads_the_script_and_has_a_place_for_the_list(
    app: Flask, login: Login
) -> None:
    board = make_board(slug="it-help")
    html = login(make_user()).get(f"/b/{board.slug}/new").get_data(as_text=True)
    assert 'data-similar-url="/search/similar"' in html
    assert 'data-similar-for="title"' in html
    assert '<script src="/static/js/similar-threads.js' in html
    # Hidden until the script has something to show: without scripts the form is as before.
    assert re.search(r'<section class="similar-threads"[^>]*\bhidden\b', html)


@pytest.mark.whoosh_only
def test_an_index_of_the_previous_schema_is_rebuilt_before_it_answers(app: Flask) -> None:
    tagged = make_thread(make_board(), title="Page request", tags=["facebook"])
    root = Path(index_dir())
    current = (root / "CURRENT").read_text().strip()
    assert current.startswith(f"v{SCHEMA_VERSION}-")
    # As a deploy finds it: the live index was built by the previous version of the code.
    old = root / current.replace(f"v{SCHEMA_VERSION}-", f"v{SCHEMA_VERSION - 1}-", 1)
    (root / current).rename(old)
    (root / "CURRENT").write_text(old.name)
    assert indexing.get_backend().state() is IndexState.MISSING
    assert [t for t, _ in hits(make_user(), "facebook")] == [tagged.id]
    assert (root / "CURRENT").read_text().startswith(f"v{SCHEMA_VERSION}-")
