"""Handles: one per person, URL-safe, from the address, unique; @mentions and quotes use them."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskCliRunner

from forum.accounts import services as account_services
from forum.accounts.models import Role
from forum.accounts.services.handles import handle_from_email
from forum.boards import services as board_services
from forum.extensions import db
from tests.boards.factories import make_board, make_post, make_thread
from tests.boards.test_services import notifications_for
from tests.factories import make_user


def test_a_handle_is_the_lower_cased_local_part_made_url_safe() -> None:
    assert handle_from_email("Priya.Shah@example.org") == "priya.shah"
    assert handle_from_email("o'brien+press@example.org") == "o-brien-press"
    assert handle_from_email("--@example.org") == "person"


def test_two_people_with_the_same_local_part_get_numbered_handles(app: Any) -> None:
    first = make_user(email="sam@one.example")
    second = make_user(email="Sam@two.example")
    third = make_user(email="sam@three.example")
    assert (first.handle, second.handle, third.handle) == ("sam", "sam-2", "sam-3")


def test_invitation_and_cli_accounts_get_handles(app: Any, runner: FlaskCliRunner) -> None:
    admin = make_user(Role.ADMIN)
    _invitation, token = account_services.invite(
        "new.colleague@example.org", role=Role.MEMBER, department=None, invited_by=admin
    )
    db.session.commit()
    user = account_services.accept_invitation(token, display_name="New", password="x" * 12)
    db.session.commit()
    assert user.handle == "new.colleague"
    result = runner.invoke(
        args=["users", "create", "cli.person@example.org", "--name", "Cli", "--role", "member"],
        input="a long cli password\na long cli password\n",
    )
    assert result.exit_code == 0, result.output
    assert account_services.user_by_email("cli.person@example.org").handle == "cli.person"


def test_a_mention_of_the_handle_notifies_that_person(app: Any) -> None:
    board = make_board()
    author = make_user()
    first = make_user(email="alex@a.example", display_name="Alex A")
    second = make_user(email="alex@b.example", display_name="Alex B")
    assert second.handle == "alex-2"
    thread = make_thread(board, author=author)
    make_post(thread, author=author, body="Over to you @alex-2, not @nobody.")
    assert [n.kind for n in notifications_for(second)] == ["mention"]
    assert notifications_for(first) == []


def test_a_quote_names_the_author_by_handle(app: Any) -> None:
    board = make_board()
    author = make_user(email="quoted.person@example.org")
    thread = make_thread(board, author=author, body="Original words.")
    post = board_services.thread_posts(thread).items[0]
    assert board_services.quote_source(post).startswith("@quoted.person [wrote]")
    reply = make_post(thread, body=board_services.quote_source(post))
    assert '<span class="mention">@quoted.person</span>' in reply.body_html
