"""A reply costs the same number of SQL statements however many people it notifies."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from forum.accounts.models import EmailPreference, User
from forum.alerts.models import Notification, OutboxMessage
from forum.boards import services
from forum.boards.models import Thread
from forum.extensions import db
from tests.boards.factories import make_board, make_thread
from tests.factories import make_user, see_committed, sql_statements


def _audience(thread: Thread, count: int) -> tuple[list[User], list[User]]:
    """`count` people watching `thread` (its author watches it too) and `count` others to
    @mention; each group's email preferences go round from "immediately", so that even a group
    of one is sent email."""
    preferences = itertools.islice(itertools.cycle(EmailPreference), count)
    watchers = [make_user(email_preference=p) for p in preferences]
    preferences = itertools.islice(itertools.cycle(EmailPreference), count)
    mentioned = [make_user(email_preference=p) for p in preferences]
    for person in watchers:
        services.watch_thread(person, thread)
    db.session.commit()
    return [thread.author, *watchers], mentioned


def _body(mentioned: list[User]) -> str:
    handles = " ".join("@" + person.email.split("@", 1)[0] for person in mentioned)
    return f"Thanks {handles}, that **fixed** it."


def _told(post_url: str) -> dict[int, str]:
    see_committed()
    rows = db.session.execute(
        select(Notification.user_id, Notification.kind).where(Notification.url == post_url)
    ).all()
    return {row.user_id: row.kind for row in rows}


def _emailed(post_url: str) -> set[str]:
    see_committed()
    return {
        message.recipient
        for message in db.session.scalars(select(OutboxMessage))
        if message.payload.get("url") == post_url
    }


def _check_everyone_told(
    post_id: int, watchers: list[User], mentioned: list[User], author: User
) -> None:
    url = f"/p/{post_id}"
    told = _told(url)
    assert told == {
        **{person.id: "reply" for person in watchers},
        **{person.id: "mention" for person in mentioned},
    }
    assert author.id not in told
    immediate = {
        person.email
        for person in watchers + mentioned
        if person.email_preference == EmailPreference.IMMEDIATELY
    }
    assert _emailed(url) == immediate


def _api_reply_statements(api: Callable[[User], Any], count: int) -> int:
    thread = make_thread(make_board())
    watchers, mentioned = _audience(thread, count)
    author = make_user()
    client = api(author)
    path = f"/api/v1/threads/{thread.id}/posts"
    # The first call records the token's use; the measured one is like every later call.
    assert client.post(path, json={"body": "Warming up."}).status_code == 201
    body = _body(mentioned)
    with sql_statements(transaction_control=False) as statements:
        response = client.post(path, json={"body": body})
    assert response.status_code == 201, response.get_json()
    _check_everyone_told(response.get_json()["id"], watchers, mentioned, author)
    return len(statements)


def _page_reply_statements(login: Callable[..., FlaskClient], count: int) -> int:
    thread = make_thread(make_board())
    watchers, mentioned = _audience(thread, count)
    author = make_user()
    client = login(author)
    path = f"/t/{thread.id}/reply"
    assert client.post(path, data={"body": "Warming up."}).status_code == 302
    body = _body(mentioned)
    with sql_statements(transaction_control=False) as statements:
        response = client.post(path, data={"body": body})
    assert response.status_code == 302
    see_committed()
    post_id = db.session.scalar(select(Thread.last_post_id).where(Thread.id == thread.id))
    assert post_id is not None
    _check_everyone_told(post_id, watchers, mentioned, author)
    client.post("/logout")
    return len(statements)


def test_api_reply_statements_do_not_grow_with_watchers_and_mentions(
    api: Callable[[User], Any],
) -> None:
    one = _api_reply_statements(api, 1)
    twenty = _api_reply_statements(api, 20)
    assert one == twenty, f"1 watcher and mention: {one}, 20 of each: {twenty}"


def test_page_reply_statements_do_not_grow_with_watchers_and_mentions(
    login: Callable[..., FlaskClient],
) -> None:
    one = _page_reply_statements(login, 1)
    twenty = _page_reply_statements(login, 20)
    assert one == twenty, f"1 watcher and mention: {one}, 20 of each: {twenty}"
