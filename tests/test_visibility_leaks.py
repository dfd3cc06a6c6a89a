"""A department-only thread never reaches another department through any side channel.

One unique word lives only in a Housing-only thread (and a thread moved there, and a fix there).
Mentions, watches, a moved thread, a refused solution link, registry history, an escalation that
climbs its whole ladder past an away senior's cover, webhooks, daily digests and the delivery
worker (a real SMTP server and a real HTTP receiver) all run. Then everything stored for, sent
to, or shown to two Parks colleagues is searched for the word; so is every webhook body, since
a channel's readers are unknown: notices, queued and sent mail, pages, API, feeds (activity and
board), search results with their snippets and totals (pages and API), tag listings, insights
(dashboard, API and every CSV series) and escalation pages. Housing people must get it, or the
search would prove nothing.
"""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from forum.accounts.models import EmailPreference, Role, User
from forum.alerts import worker
from forum.alerts.models import Notification, OutboxMessage
from forum.alerts.services import digest
from forum.alerts.services import endpoints as webhook_endpoints
from forum.boards import services as board_services
from forum.boards.feeds import feed_urls
from forum.boards.models import PostKind
from forum.core.db import utcnow
from forum.core.errors import Invalid
from forum.escalations import services as escalations
from forum.escalations.models import Urgency
from forum.extensions import db
from forum.insights import report
from forum.registry import services as registry
from tests.alerts.servers import SmtpServer, WebhookReceiver
from tests.boards.factories import make_board, make_post, make_thread
from tests.escalations.factories import make_policy
from tests.factories import make_department, make_user
from tests.registry.factories import make_profile

WORD = "Quillowmarsh"


@pytest.fixture
def app_config(app_config: dict[str, Any], smtp_port: int) -> dict[str, Any]:
    return {**app_config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port}


def mail_text(message: EmailMessage) -> str:
    parts = [str(message["Subject"])]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            parts.append(part.get_content())
    return "\n".join(parts)


def stored_for(user: User) -> str:
    notices = db.session.scalars(select(Notification).where(Notification.user_id == user.id))
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.email))
    return " ".join(
        [f"{n.title} {n.body} {n.url}" for n in notices] + [str(m.payload) for m in mails]
    )


def drain(now: dt.datetime) -> None:
    for _ in range(20):
        if worker.run_once(now=now).claimed == 0:
            return
    raise AssertionError("the outbox did not drain")


def test_a_department_only_word_never_reaches_another_department(
    app: Flask, smtp: SmtpServer, api: Any
) -> None:
    housing, parks = make_department(name="Housing"), make_department(name="Parks")
    admin = make_user(Role.ADMIN)
    author = make_user(department=housing, email="hal.housing@example.org")
    housing_senior = make_user(Role.SENIOR, department=housing)
    pat = make_user(Role.ENTHUSIAST, department=parks, email="pat.parks@example.org")
    quinn = make_user(
        department=parks, email="quinn.parks@example.org", email_preference=EmailPreference.DAILY
    )
    outsiders = [pat, quinn]
    parks_senior = make_user(Role.SENIOR, department=parks)
    # Legacy data the away form no longer allows: an enthusiast covering a senior.
    parks_senior.away_from = utcnow().date() - dt.timedelta(days=1)
    parks_senior.cover_user = pat
    db.session.commit()
    housing_board = make_board(department=housing, name="Housing only")
    open_board = make_board(name="Everyone")
    now = utcnow()

    with WebhookReceiver() as receiver:
        endpoint = webhook_endpoints.create_endpoint(
            admin, name="Comms channel", url=receiver.url, format="generic", allow_private=True
        )
        make_policy(
            admin,
            webhook_endpoints=[endpoint],
            levels=[
                {"users": [housing_senior]},
                {"users": [parks_senior, pat]},
                {"users": [admin]},
            ],
        )

        # Mentions of outsiders in the secret thread, in its opening post and a reply.
        secret = make_thread(
            housing_board,
            author=author,
            title=f"{WORD} rent arrears list",
            body=f"@pat.parks @quinn.parks the {WORD} list is attached.",
            tags=["arrears"],
        )
        make_post(secret, author=author, body=f"@quinn.parks more on {WORD}.")

        # Outsiders watch an open thread that then moves to the Housing board and is renamed.
        moved = make_thread(open_board, author=pat, title="Rota for the storm weekend")
        board_services.watch_thread(quinn, moved)
        make_post(moved, author=admin, body="Rota draft is up.")
        board_services.move_thread(moved, actor=admin, to_board=housing_board)
        board_services.edit_post(
            moved.posts[0], editor=admin, body=f"{WORD} details", title=f"{WORD} storm rota"
        )
        make_post(moved, author=author, body=f"@pat.parks {WORD} update.")
        db.session.commit()

        # A senior tries to solve an outsider's question with a Housing-only fix.
        question = make_thread(open_board, author=pat, kind=PostKind.QUESTION)
        fix = make_thread(housing_board, author=author, kind=PostKind.FIX, title=f"{WORD} fix")
        with pytest.raises(Invalid):
            board_services.mark_solution(question, actor=housing_senior, solution_thread=fix)
        db.session.rollback()

        # Registry history about the secret thread.
        profile = make_profile(department=housing)
        registry.link_thread(profile, secret.id, author)
        db.session.commit()

        # An escalation that climbs its whole ladder, then is handled.
        escalation, _ = escalations.escalate(
            secret, actor=author, reason=f"{WORD} is trending", urgency=Urgency.CRISIS, now=now
        )
        db.session.commit()
        for minutes in (11, 22, 33):
            escalations.advance_ladder(now + dt.timedelta(minutes=minutes))
            db.session.commit()
        escalations.acknowledge(escalation, actor=housing_senior, now=now + dt.timedelta(hours=1))
        escalations.resolve(
            escalation,
            actor=housing_senior,
            note=f"Handled the {WORD} list.",
            now=now + dt.timedelta(hours=1),
        )
        db.session.commit()

        digest.send_daily_digests(now=now + dt.timedelta(hours=2))
        db.session.commit()
        drain(now + dt.timedelta(hours=2))
        hooks = [r.body.decode() for r in receiver.requests]

    # Stored for the outsiders: notices and queued mail.
    for person in outsiders:
        assert WORD not in stored_for(person), person.email
    # Sent to the outsiders over SMTP (Quinn's digest, Pat's bare escalation alert among them).
    sent = {
        person.email: [
            mail_text(m)
            for m, to in zip(smtp.messages, smtp.sink.recipients, strict=True)
            if person.email in to
        ]
        for person in outsiders
    }
    assert sent[quinn.email] and sent[pat.email]
    for texts in sent.values():
        assert all(WORD not in text for text in texts)
    assert any("An escalation needs you" in text for text in sent[pat.email])
    # Webhooks: a channel's readers are unknown, so a department-only thread is never named.
    assert hooks and all(WORD not in body for body in hooks)

    # Shown to the outsiders: pages, API and feeds.
    for person in outsiders:
        client = api(person)
        for path in (
            "/api/v1/notifications?per_page=100",
            f"/api/v1/profiles/{profile.id}/history",
            f"/api/v1/threads/{question.id}",
            f"/api/v1/boards/{open_board.slug}/threads",
        ):
            response = client.get(path)
            assert response.status_code == 200, path
            assert WORD not in response.get_data(as_text=True), path
        assert client.get(f"/api/v1/threads/{secret.id}").status_code == 404
        with app.test_request_context():
            feed = feed_urls(person)
        assert WORD not in app.test_client().get(feed).get_data(as_text=True)
        browser = app.test_client()
        browser.post("/login", data={"email": person.email, "password": "correct horse battery"})
        for path in ("/notifications", f"/profiles/{profile.id}", f"/t/{question.id}", "/"):
            page = browser.get(path)
            assert page.status_code == 200, path
            assert WORD not in page.get_data(as_text=True), path
        assert browser.get(f"/t/{secret.id}").status_code == 404
        assert browser.get(f"/t/{secret.id}/reply?quote={secret.posts[0].id}").status_code == 404

    _search_tags_insights_and_escalations_hide_it(
        app, api, outsiders, secret=secret, escalation_id=escalation.id, open_board=open_board
    )

    # The control: Housing people did hear about it, by notice and by mail, and find it.
    found = api(housing_senior).get(f"/api/v1/search?q={WORD}").get_json()
    assert found["total"] >= 1 and WORD in str(found["results"])
    assert WORD in stored_for(housing_senior)
    assert any(
        WORD in mail_text(m)
        for m, to in zip(smtp.messages, smtp.sink.recipients, strict=True)
        if housing_senior.email in to
    )


def _search_tags_insights_and_escalations_hide_it(
    app: Flask,
    api: Any,
    outsiders: list[User],
    *,
    secret: Any,
    escalation_id: int,
    open_board: Any,
) -> None:
    """Channels that aggregate or search: no row, snippet, count or name of the secret."""
    for person in outsiders:
        client = api(person)
        for query in (WORD, "arrears", "rent", "list"):
            result = client.get(f"/api/v1/search?q={query}").get_json()
            assert WORD not in str(result), query
            assert all(r.get("thread_id") != secret.id for r in result["results"]), query
            if query == WORD:
                assert result["total"] == 0  # a total must not count what is not shown
        insights = client.get("/api/v1/insights")
        assert insights.status_code in (200, 403)
        assert WORD not in insights.get_data(as_text=True)
        assert client.get(f"/api/v1/escalations/{escalation_id}").status_code in (403, 404)
        with app.test_request_context():
            board_feed = feed_urls(person, open_board.slug)
        assert WORD not in app.test_client().get(board_feed).get_data(as_text=True)

        browser = app.test_client()
        browser.post("/login", data={"email": person.email, "password": "correct horse battery"})
        for query in (WORD, "arrears"):
            # The page repeats the query itself; what it must not show is the thread.
            text = browser.get(f"/search?q={query}").get_data(as_text=True)
            for fragment in ("rent arrears list", "list is attached", f"/t/{secret.id}"):
                assert fragment not in text, (query, fragment)
            assert "No results" in text or "0 results" in text, query
        pages = [
            "/tags/arrears",
            f"/b/{open_board.slug}",
            "/insights",
            f"/escalations/{escalation_id}",
            "/inbox",
        ]
        pages += [f"/insights/{name}.csv" for name in report.SERIES_NAMES]
        for path in pages:
            page = browser.get(path)
            assert page.status_code in (200, 403), (path, page.status_code)
            text = page.get_data(as_text=True)
            assert WORD not in text, path
            assert f"/t/{secret.id}" not in text, path
