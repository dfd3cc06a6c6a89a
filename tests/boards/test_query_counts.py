"""The board page and the thread page issue the same number of SQL queries for 3 or 300 posts."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from forum.accounts.models import Role, User
from forum.boards import services
from forum.boards.models import Board, Thread
from forum.extensions import db
from tests.boards.factories import make_board
from tests.factories import make_user, sql_statements


def _fill(board: Board, authors: list[User], posts: int, threads: int) -> Thread:
    """`threads` threads on `board` and `posts` posts in total, most in the first thread."""
    with services.notifications_suppressed():
        first = services.create_thread(
            board,
            author=authors[0],
            kind="question",
            title="Main thread",
            body="Opening",
            tags=["a", "b"],
        )
        for i in range(threads - 1):
            services.create_thread(
                board,
                author=authors[i % len(authors)],
                kind="win",
                title=f"Other {i}",
                body="x",
                tags=[f"t{i % 5}"],
            )
        for i in range(posts - threads):
            post = services.add_post(first, author=authors[i % len(authors)], body=f"reply {i}")
            if i % 3 == 0:
                services.toggle_reaction(post, user=authors[(i + 1) % len(authors)], kind="helpful")
    db.session.commit()
    return first


def _page_queries(client: FlaskClient, path: str) -> int:
    client.get(path)  # warm caches (templates, the session user)
    with sql_statements() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


def _measure(
    app: Flask, login: Callable[..., FlaskClient], posts: int, threads: int
) -> tuple[int, int]:
    moderator = make_user()
    board = make_board(moderators=[moderator])
    authors = [make_user() for _ in range(5)]
    thread = _fill(board, authors, posts=posts, threads=threads)
    client = login(moderator)
    board_count = _page_queries(client, f"/b/{board.slug}")
    thread_count = _page_queries(client, f"/t/{thread.id}-{thread.slug}")
    client.post("/logout")
    return board_count, thread_count


def test_board_and_thread_pages_issue_constant_queries(
    app: Flask, login: Callable[..., FlaskClient]
) -> None:
    small = _measure(app, login, posts=3, threads=2)
    large = _measure(app, login, posts=300, threads=40)
    assert small == large, f"3 posts: {small}, 300 posts: {large}"
    # Keep an eye on the absolute number too: a page is a handful of queries, not dozens.
    assert max(large) <= 20, large


def test_home_page_issues_constant_queries(app: Flask, login: Callable[..., FlaskClient]) -> None:
    admin = make_user(Role.ADMIN)
    client = login(admin)
    board = make_board()
    _fill(board, [make_user() for _ in range(3)], posts=3, threads=2)
    small = _page_queries(client, "/")
    for _ in range(3):
        _fill(make_board(), [make_user() for _ in range(3)], posts=60, threads=20)
    assert _page_queries(client, "/") == small


def test_a_solved_threads_first_page_runs_no_more_statements_than_an_unsolved_one(
    app: Flask, login: Callable[..., FlaskClient]
) -> None:
    moderator = make_user()
    authors = [make_user() for _ in range(3)]
    thread = _fill(make_board(moderators=[moderator]), authors, posts=6, threads=1)
    client = login(moderator)
    path = f"/t/{thread.id}-{thread.slug}"
    unsolved = _page_queries(client, path)
    answer = services.thread_posts(thread, page=1).items[2]
    services.mark_solution(thread, actor=moderator, post=answer)
    db.session.commit()

    solved = _page_queries(client, path)
    page = client.get(path).get_data(as_text=True)

    assert 'id="solution-heading"' in page
    assert f"reply {1}" in page.split('id="solution-heading"')[1].split("</section>")[0]
    assert solved == unsolved
