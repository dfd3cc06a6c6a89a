"""Whatever a person types into search is either searched or refused with a 400 on `q`, on the
page and in the API alike: never a 500."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from forum.accounts.models import User
from forum.core.errors import Invalid
from forum.search import services
from tests.factories import make_user
from tests.search.factories import make_board, make_reply, make_thread

Login = Callable[[Any], FlaskClient]
Api = Callable[[Any], Any]

# Shapes that once raised inside Whoosh or the date parser.
CRASHED = [
    "NOT NOT a",
    "printer NOT NOT jam",
    "a ANDMAYBE ANDMAYBE b",
    "a ANDNOT ANDMAYBE b",
    "date:9999-12-31",
    "after:9999-12-31",
    "printer date:..9999-12-31",
    "date:9999-12-31..9999-12-31",
]

# Pieces a query is made of, odd ones included; the loop below glues them together at random.
PIECES = [
    *("printer", "jam", "toner", "a", "é", "İ", "\u200b", "0", "-1", "1e309"),
    *("NOT", "AND", "OR", "ANDNOT", "ANDMAYBE", "TO", "NOT NOT", "(NOT)", "NOT(", ")NOT"),
    *("(", ")", '"', "'", "''", '""', "-", "+", ":", "*", "?", "[", "]", "{", "}", "^", "~"),
    *("~2", "^3", "a~", "a^x", "a^1e400", "a~999999999999", "x*y", "*a", "\\", "/", "|", "!"),
    *("title:", "text:", "kind:", "tag:", "board:", "author:", "key:x", "thread_id:1"),
    *("created_at:2026", "created_at:[2026 TO]", "[a TO b]", "{a TO b]", "[TO]", "a:b", ".."),
    *("date:", "after:", "before:", "date:9999-12-31", "after:9999-12-31", "date:9999"),
    *("before:0001-01-01", "date:0001", "date:0000", "date:2026-01-01..", "date:..9999-12-31"),
]


@pytest.fixture
def reader(app: Flask) -> User:
    board = make_board(slug="it-help")
    thread = make_thread(board, title="Printer jam", body="The toner smudges; a jam follows.")
    make_reply(thread, body="Printer fixed: new toner.")
    return make_user()


def refused_on_q(reader: User, q: str) -> bool:
    """True when the search is refused with a message on `q`; False when it runs."""
    try:
        services.search(reader, q=q)
    except Invalid as error:
        fields = error.fields
    else:
        return False
    assert set(fields) == {"q"} and fields["q"], q
    return True


@pytest.mark.parametrize("q", CRASHED)
def test_queries_that_crashed_are_refused_with_a_message(reader: User, q: str) -> None:
    assert refused_on_q(reader, q)


@pytest.mark.parametrize(
    "q", ["date:9998-12-31", "after:9998-12-31", "before:0001-01-02", "date:0001", "NOT a", "-"]
)
def test_edge_queries_that_can_run_are_searched(reader: User, q: str) -> None:
    assert not refused_on_q(reader, q)


def test_random_queries_are_searched_or_refused_never_crash(reader: User) -> None:
    rng = random.Random(20260310)  # fixed: a failure names a query that fails again
    for _ in range(400):
        parts = [rng.choice(PIECES) for _ in range(rng.randint(1, 6))]
        q = ("" if rng.random() < 0.3 else " ").join(parts)[: services.MAX_QUERY_LENGTH]
        refused_on_q(reader, q)


def test_a_query_parser_failure_is_a_400_on_the_page_with_the_message_in_the_form(
    reader: User, login: Login
) -> None:
    client = login(reader)
    response = client.get("/search?q=NOT+NOT+a")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "That search cannot be read" in html
    assert 'value="NOT NOT a"' in html  # the query stays in the box to be fixed
    response = client.get("/search?q=after:9999-12-31")
    assert response.status_code == 400
    assert "9998-12-31" in response.get_data(as_text=True)


@pytest.mark.parametrize("q", ["NOT NOT a", "date:9999-12-31", "after:9999-12-31"])
def test_a_query_parser_failure_is_a_400_in_the_api_with_a_field_message(
    reader: User, api: Api, q: str
) -> None:
    response = api(reader).get("/api/v1/search", query_string={"q": q})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["fields"]["q"]
