"""Moderators reach their queue from every page: a header link with the open flags' count."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from forum.accounts.models import Role
from forum.boards import services
from forum.extensions import db
from tests.boards.factories import make_board, make_thread
from tests.factories import make_user

LINK = re.compile(
    r'<a href="/moderation/flags"[^>]*>Moderation(?: <span class="bell-count">(\d+))?'
)


def link_count(client: FlaskClient) -> str | None:
    """The count on the header link, "" when it shows no count, None when there is no link."""
    match = LINK.search(client.get("/").get_data(as_text=True))
    return None if match is None else (match.group(1) or "")


def test_the_link_counts_open_flags_on_the_boards_one_moderates(
    app: Any, client: FlaskClient, login: Callable[..., FlaskClient]
) -> None:
    moderator = make_user()
    theirs = make_board(moderators=[moderator])
    other = make_board()
    reporter = make_user()
    for board in (theirs, theirs, other):
        thread = make_thread(board)
        services.flag_post(thread.posts[0], reporter=reporter, reason="spam")
    db.session.commit()

    login(moderator)
    assert link_count(client) == "2"
    client.post("/logout")
    login(make_user(Role.ADMIN))
    assert link_count(client) == "3"  # admins moderate every board
    client.post("/logout")
    login(reporter)
    assert link_count(client) is None  # not a moderator: no link at all


def test_a_moderator_with_nothing_to_do_still_has_the_link(
    app: Any, client: FlaskClient, login: Callable[..., FlaskClient]
) -> None:
    moderator = make_user()
    make_board(moderators=[moderator])
    db.session.commit()
    login(moderator)
    assert link_count(client) == ""
