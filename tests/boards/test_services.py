"""Board rules without HTTP: visibility, threads, replies, edits, solutions, moderation, reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from forum.accounts.models import Role
from forum.alerts.models import Notification, OutboxMessage
from forum.boards import services, signals
from forum.boards.models import BoardVisibility, FlagState, PostKind, ReactionKind, Tag
from forum.core.errors import Conflict, Invalid, NotFound, NotPermitted
from forum.extensions import db
from tests.boards.factories import make_board, make_post, make_thread
from tests.factories import make_department, make_user

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def notifications_for(user: Any) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
    )


# --- visibility ------------------------------------------------------------------------------


def test_department_board_is_visible_to_its_members_seniors_admins_and_moderators(
    app: Flask,
) -> None:
    housing, parks = make_department(), make_department()
    moderator = make_user(department=parks)
    board = make_board(department=housing, moderators=[moderator])
    insider = make_user(department=housing)
    outsider = make_user(department=parks)
    senior = make_user(Role.SENIOR, department=parks)
    admin = make_user(Role.ADMIN)

    assert services.can_see_board(insider, board)
    assert services.can_see_board(senior, board)
    assert services.can_see_board(admin, board)
    assert services.can_see_board(moderator, board)
    assert not services.can_see_board(outsider, board)
    assert not services.can_see_board(None, board)
    assert board.id in services.visible_board_ids(insider)
    assert board.id in services.visible_board_ids(moderator)
    assert board.id not in services.visible_board_ids(outsider)
    assert [b.id for b in services.visible_boards(outsider)] == []


def test_staff_board_is_visible_to_everyone_signed_in_but_not_to_deactivated_people(
    app: Flask,
) -> None:
    board = make_board()
    person = make_user()
    assert services.can_see_board(person, board)
    person.is_active = False
    assert not services.can_see_board(person, board)
    assert services.visible_board_ids(person) == set()


def test_invisible_thread_and_post_are_not_found(app: Flask) -> None:
    housing = make_department()
    board = make_board(department=housing)
    thread = make_thread(board)
    post = make_post(thread)
    outsider = make_user()
    with pytest.raises(NotFound):
        services.get_visible_thread(outsider, thread.id)
    with pytest.raises(NotFound):
        services.get_visible_post(outsider, post.id)
    with pytest.raises(NotFound):
        services.get_visible_board(outsider, board.slug)
    with pytest.raises(NotFound):
        services.get_visible_thread(outsider, 999_999)
    insider = make_user(department=housing)
    assert services.get_visible_thread(insider, thread.id).id == thread.id
    assert services.get_visible_post(insider, post.id).id == post.id


def test_posting_on_an_invisible_board_is_not_found(app: Flask) -> None:
    board = make_board(department=make_department())
    with pytest.raises(NotFound):
        services.create_thread(board, author=make_user(), kind="win", title="x", body="y")


# --- threads ---------------------------------------------------------------------------------


def test_create_thread_renders_markdown_normalizes_tags_and_counts(app: Flask) -> None:
    board = make_board()
    author = make_user()
    thread = services.create_thread(
        board,
        author=author,
        kind="failure",
        title="  Facebook page   hijack scare ",
        body="We **lost** access.\n\n<script>alert(1)</script>",
        tags=["#Social Media", "facebook", "FACEBOOK", " security_incident "],
        now=T0,
    )
    db.session.commit()
    assert thread.title == "Facebook page hijack scare"
    assert thread.slug == "facebook-page-hijack-scare"
    assert thread.kind == PostKind.FAILURE
    assert thread.tag_names == ["facebook", "security-incident", "social-media"]
    assert thread.post_count == 1
    post = thread.posts[0]
    assert "<strong>lost</strong>" in post.body_html
    assert "<script>" not in post.body_html
    assert thread.last_post_id == post.id
    assert thread.last_activity_at == T0
    assert services.is_watching_thread(author, thread)


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"kind": "rant"}, "kind"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"body": "  \n "}, "body"),
        ({"body": "x" * 50_001}, "body"),
        ({"tags": ["t" * 41]}, "tags"),
        ({"tags": [f"t{i}" for i in range(9)]}, "tags"),
    ],
)
def test_bad_thread_input_is_a_field_error(app: Flask, fields: dict[str, Any], bad: str) -> None:
    board = make_board()
    values: dict[str, Any] = {"kind": "win", "title": "A title", "body": "A body", **fields}
    with pytest.raises(Invalid) as excinfo:
        services.create_thread(board, author=make_user(), **values)
    assert bad in excinfo.value.fields


def test_reply_updates_counters_and_last_activity(app: Flask) -> None:
    thread = make_thread(now=T0)
    replier = make_user()
    post = services.add_post(
        thread, author=replier, body="Same here.", now=T0 + dt.timedelta(hours=1)
    )
    db.session.commit()
    assert thread.post_count == 2
    assert thread.last_post_id == post.id
    assert thread.last_poster_id == replier.id
    assert thread.last_activity_at == T0 + dt.timedelta(hours=1)
    assert services.is_watching_thread(replier, thread)


def test_reply_to_locked_thread_is_refused_except_for_moderators(app: Flask) -> None:
    moderator = make_user()
    board = make_board(moderators=[moderator])
    thread = make_thread(board)
    services.set_locked(thread, actor=moderator, locked=True)
    db.session.commit()
    with pytest.raises(NotPermitted):
        services.add_post(thread, author=make_user(), body="Let me in")
    services.add_post(thread, author=moderator, body="Locked because it is resolved.")


def test_empty_reply_is_invalid(app: Flask) -> None:
    thread = make_thread()
    with pytest.raises(Invalid) as excinfo:
        services.add_post(thread, author=make_user(), body="   ")
    assert "body" in excinfo.value.fields


def test_signals_are_sent_for_new_threads_and_posts(app: Flask) -> None:
    seen: list[tuple[str, Any, dict[str, Any]]] = []

    def record(name: str) -> Any:
        def receiver(sender: Any, **extra: Any) -> None:
            seen.append((name, sender, extra))

        return receiver

    receivers = {name: record(name) for name in ("thread_created", "post_created")}
    for name, receiver in receivers.items():
        getattr(signals, name).connect(receiver)
    try:
        thread = make_thread()
        reply = make_post(thread)
    finally:
        for name, receiver in receivers.items():
            getattr(signals, name).disconnect(receiver)
    names = [(name, extra.get("is_first")) for name, _sender, extra in seen]
    assert names == [("thread_created", None), ("post_created", True), ("post_created", False)]
    assert seen[0][1] is thread
    assert seen[2][1] is reply
    assert seen[2][2]["thread"] is thread


# --- edits, deletes, reactions ---------------------------------------------------------------


def test_edit_keeps_a_revision_and_first_post_edit_changes_the_thread(app: Flask) -> None:
    author = make_user()
    thread = make_thread(author=author, title="Old title", body="first text", tags=["a"])
    post = thread.posts[0]
    services.edit_post(
        post,
        editor=author,
        body="second text",
        title="New title",
        kind="fix",
        tags=["b", "c"],
        now=T0,
    )
    db.session.commit()
    assert post.body == "second text"
    assert post.edited_at == T0
    assert (thread.title, thread.slug, thread.kind) == ("New title", "new-title", "fix")
    assert thread.tag_names == ["b", "c"]
    history = services.revisions(post)
    assert [(r.body, r.title) for r in history] == [("first text", "Old title")]
    # Saving the same text again makes no new revision.
    services.edit_post(post, editor=author, body="second text")
    assert len(services.revisions(post)) == 1


def test_only_author_or_moderator_may_edit(app: Flask) -> None:
    moderator = make_user()
    board = make_board(moderators=[moderator])
    thread = make_thread(board)
    reply = make_post(thread)
    with pytest.raises(NotPermitted):
        services.edit_post(reply, editor=make_user(), body="vandalism")
    services.edit_post(reply, editor=moderator, body="Fixed a typo")
    assert reply.body == "Fixed a typo"


def test_soft_delete_keeps_the_row_and_author_can_restore(app: Flask) -> None:
    thread = make_thread()
    reply = make_post(thread)
    with pytest.raises(NotPermitted):
        services.delete_post(reply, actor=make_user())
    services.delete_post(reply, actor=reply.author, now=T0)
    db.session.commit()
    assert reply.deleted_at == T0 and not reply.is_visible
    assert thread.post_count == 2
    with pytest.raises(Conflict):
        services.delete_post(reply, actor=reply.author)
    services.restore_post(reply, actor=reply.author)
    assert reply.is_visible


def test_reactions_toggle_one_of_each_per_person(app: Flask) -> None:
    thread = make_thread()
    reply = make_post(thread)
    fan = make_user()
    assert services.toggle_reaction(reply, user=fan, kind="helpful") is True
    assert services.toggle_reaction(reply, user=fan, kind="thanks") is True
    assert services.toggle_reaction(make_post(thread), user=fan, kind="helpful") is True
    summary = services.reaction_summary([reply.id], fan)[reply.id]
    assert summary.get(ReactionKind.HELPFUL).count == 1
    assert summary.get(ReactionKind.HELPFUL).mine
    assert services.toggle_reaction(reply, user=fan, kind="helpful") is False
    assert services.reaction_summary([reply.id], fan)[reply.id].get(ReactionKind.HELPFUL).count == 0
    with pytest.raises(NotPermitted):
        services.toggle_reaction(reply, user=reply.author, kind="thanks")
    with pytest.raises(Invalid):
        services.toggle_reaction(reply, user=fan, kind="love")


# --- solutions -------------------------------------------------------------------------------


def test_question_author_marks_a_reply_as_solution_and_replier_is_notified(app: Flask) -> None:
    asker = make_user()
    thread = make_thread(author=asker, kind="question")
    answer = make_post(thread, body="Use alt text.")
    services.mark_solution(thread, actor=asker, post=answer, now=T0)
    db.session.commit()
    assert thread.solution_post_id == answer.id and thread.is_solved
    assert any(n.kind == "solution" for n in notifications_for(answer.author))


def test_solution_rules(app: Flask) -> None:
    asker = make_user()
    thread = make_thread(author=asker, kind="question")
    answer = make_post(thread)
    with pytest.raises(NotPermitted):
        services.mark_solution(thread, actor=make_user(), post=answer)
    services.mark_solution(thread, actor=make_user(Role.SENIOR), post=answer)
    with pytest.raises(Invalid):
        services.mark_solution(thread, actor=asker, post=thread.posts[0])
    win = make_thread(kind="win")
    with pytest.raises(Invalid):
        services.mark_solution(win, actor=win.author, post=make_post(win))
    fix = make_thread(kind="fix")
    services.mark_solution(thread, actor=asker, solution_thread=fix)
    assert thread.solution_thread_id == fix.id and thread.solution_post_id is None
    with pytest.raises(Invalid):
        services.mark_solution(thread, actor=asker, solution_thread=make_thread(kind="story"))


def test_deleting_the_solution_unsolves_the_thread(app: Flask) -> None:
    thread = make_thread(kind="failure")
    answer = make_post(thread)
    services.mark_solution(thread, actor=thread.author, post=answer)
    services.delete_post(answer, actor=answer.author)
    assert not thread.is_solved


# --- notifications ---------------------------------------------------------------------------


def test_mentions_notify_colleagues_who_can_see_the_board(app: Flask) -> None:
    housing = make_department()
    board = make_board(department=housing)
    insider = make_user(department=housing, email="omar.haddad@example.org")
    outsider = make_user(email="ben.carter@example.org")
    thread = make_thread(board, body="Thoughts @omar.haddad and @ben.carter? `@not.code`")
    assert [n.kind for n in notifications_for(insider)] == ["mention"]
    assert notifications_for(outsider) == []
    assert '<span class="mention">@omar.haddad</span>' in thread.posts[0].body_html


def test_thread_watchers_hear_of_replies_once_and_email_follows_preference(app: Flask) -> None:
    author = make_user()
    thread = make_thread(author=author)
    replier = make_user()
    reply = make_post(thread, author=replier, body=f"Hi @{author.email.split('@')[0]}")
    notes = notifications_for(author)
    # A mention and a reply to a watched thread are one notification, not two.
    assert [n.kind for n in notes] == ["mention"]
    assert notes[0].url == f"/p/{reply.id}"
    emails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == author.email)
    ).all()
    assert len(emails) == 1
    make_post(thread, author=replier, body="Another one")
    assert [n.kind for n in notifications_for(author)] == ["mention", "reply"]
    assert notifications_for(replier) == []


def test_board_watchers_hear_of_new_threads(app: Flask) -> None:
    board = make_board()
    watcher = make_user()
    services.watch_board(watcher, board)
    make_thread(board, kind="win", title="Launch went well")
    assert [n.kind for n in notifications_for(watcher)] == ["new_thread"]


def test_watchers_who_lost_access_are_not_notified(app: Flask) -> None:
    housing = make_department()
    board = make_board()
    watcher = make_user(department=make_department())
    thread = make_thread(board)
    services.watch_thread(watcher, thread)
    services.update_board(
        make_user(Role.ADMIN),
        board,
        slug=board.slug,
        name=board.name,
        description="",
        visibility=BoardVisibility.DEPARTMENT,
        department=housing,
        position=0,
    )
    make_post(thread, author=make_user(department=housing))
    assert notifications_for(watcher) == []


# --- moderation ------------------------------------------------------------------------------


def test_moderator_hides_a_post_with_a_reason_which_resolves_flags(app: Flask) -> None:
    moderator = make_user()
    board = make_board(moderators=[moderator])
    thread = make_thread(board)
    reply = make_post(thread)
    reporter = make_user()
    flag = services.flag_post(reply, reporter=reporter, reason="Personal data in screenshot")
    with pytest.raises(Conflict):
        services.flag_post(reply, reporter=reporter, reason="again")
    assert [f.id for f in services.open_flags(moderator).items] == [flag.id]
    assert services.open_flags(make_user()).items == []
    assert any(n.kind == "flag" for n in notifications_for(moderator))
    with pytest.raises(NotPermitted):
        services.hide_post(reply, actor=make_user(), reason="no")
    with pytest.raises(Invalid):
        services.hide_post(reply, actor=moderator, reason=" ")
    services.hide_post(reply, actor=moderator, reason="Contains a resident's phone number")
    db.session.commit()
    assert reply.hidden_reason == "Contains a resident's phone number"
    assert flag.state == FlagState.RESOLVED
    assert any(n.kind == "moderation" for n in notifications_for(reply.author))


def test_move_needs_a_moderator_and_a_visible_target(app: Flask) -> None:
    moderator = make_user()
    source = make_board(moderators=[moderator])
    target = make_board()
    secret = make_board(department=make_department())
    thread = make_thread(source)
    with pytest.raises(NotPermitted):
        services.move_thread(thread, actor=make_user(), to_board=target)
    with pytest.raises(NotFound):
        services.move_thread(thread, actor=moderator, to_board=secret)
    moved: list[Any] = []
    signals.thread_moved.connect(receiver := lambda sender, **kw: moved.append(kw))
    try:
        services.move_thread(thread, actor=moderator, to_board=target)
    finally:
        signals.thread_moved.disconnect(receiver)
    assert thread.board_id == target.id
    assert moved[0]["from_board"] is source


def test_pin_puts_a_thread_first_on_its_board(app: Flask) -> None:
    board = make_board()
    old = make_thread(board, now=T0)
    make_thread(board, now=T0 + dt.timedelta(days=1))
    services.set_pinned(old, actor=make_user(Role.ADMIN), pinned=True)
    assert services.board_threads(board).items[0].id == old.id


# --- reading ---------------------------------------------------------------------------------


def test_unread_marks_and_first_unread_post(app: Flask) -> None:
    thread = make_thread()
    reader = make_user()
    assert services.unread_state(thread, services.read_marks(reader, [thread.id])) == "new"
    first = thread.posts[0]
    services.mark_read(reader, thread, first.id)
    second = make_post(thread)
    make_post(thread)
    marks = services.read_marks(reader, [thread.id])
    assert services.unread_state(thread, marks) == "updated"
    assert services.first_unread_post_id(reader, thread) == second.id
    # The mark never moves backwards.
    services.mark_read(reader, thread, thread.last_post_id or 0)
    services.mark_read(reader, thread, first.id)
    assert services.first_unread_post_id(reader, thread) is None


def test_page_of_post(app: Flask) -> None:
    thread = make_thread()
    author = make_user()
    posts = [services.add_post(thread, author=author, body=f"r{i}") for i in range(31)]
    db.session.commit()
    assert services.page_of_post(posts[27]) == 1  # the 29th post
    assert services.page_of_post(posts[29]) == 2  # the 31st post


def test_tags_are_shared_rows(app: Flask) -> None:
    make_thread(tags=["Accessibility"])
    make_thread(tags=["accessibility", "alt-text"])
    assert sorted(db.session.scalars(select(Tag.name))) == ["accessibility", "alt-text"]
    assert services.recent_threads(make_user(Role.ADMIN), tag="accessibility").total == 2
