"""The cached fragments of the thread, board and activity pages never show a reader what they
may not see, and show every change at once: each test fills the cache as one reader, changes
something or switches reader, and reads again through the same app (the same cache)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from forum.accounts import services as accounts
from forum.accounts.models import Role, User
from forum.boards import services
from forum.extensions import db
from tests.boards.factories import make_board, make_post, make_thread
from tests.factories import PASSWORD, make_department, make_user, sql_statements


def reader(app: Flask, user: User) -> FlaskClient:
    """A browser of its own, signed in as `user` (several readers share the app's cache)."""
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def page(client: FlaskClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.status_code
    return response.get_data(as_text=True)


def test_department_thread_is_never_served_to_others_from_the_cache(app: Flask) -> None:
    department = make_department()
    member = make_user(department=department)
    outsider = make_user()
    secret_board = make_board(department=department, name="Secret board")
    thread = make_thread(secret_board, author=member, title="Payroll incident", tags=["payroll"])
    make_post(thread, author=member, body="Only the department knows this.")
    inside, outside = reader(app, member), reader(app, outsider)

    # The member fills every cache: thread, board, activity with its sidebar.
    assert "Only the department knows this." in page(inside, f"/t/{thread.id}")
    assert "Payroll incident" in page(inside, f"/b/{secret_board.slug}")
    home = page(inside, "/")
    assert "Payroll incident" in home and "Secret board" in home and "#payroll" in home

    page(outside, f"/t/{thread.id}", 404)
    page(outside, f"/b/{secret_board.slug}", 404)
    home = page(outside, "/")
    assert "Payroll incident" not in home
    assert "Secret board" not in home
    assert "#payroll" not in home


def test_hidden_post_body_only_for_moderators_and_its_author(app: Flask) -> None:
    moderator, author, member = make_user(), make_user(), make_user()
    board = make_board(moderators=[moderator])
    thread = make_thread(board, author=member)
    post = make_post(thread, author=author, body="Rude words here.")
    services.hide_post(post, actor=moderator, reason="Off topic")
    db.session.commit()
    as_moderator, as_author, as_member = (
        reader(app, moderator),
        reader(app, author),
        reader(app, member),
    )

    # The member reads first and fills the members' fragment; the moderator's is another.
    html = page(as_member, f"/t/{thread.id}")
    assert "Hidden by a moderator: Off topic" in html
    assert "Rude words here." not in html
    html = page(as_moderator, f"/t/{thread.id}")
    assert "Rude words here." in html and "Restore" in html
    html = page(as_author, f"/t/{thread.id}")
    assert "Rude words here." in html and "only you and moderators" in html
    html = page(as_member, f"/t/{thread.id}")
    assert "Rude words here." not in html and "Restore" not in html


def test_hiding_shows_at_once_to_a_reader_with_a_cached_page(app: Flask) -> None:
    moderator, member = make_user(), make_user()
    board = make_board(moderators=[moderator])
    thread = make_thread(board, author=member)
    post = make_post(thread, body="Soon to be hidden.")
    as_member = reader(app, member)
    assert "Soon to be hidden." in page(as_member, f"/t/{thread.id}")
    services.hide_post(db.session.get(type(post), post.id), actor=moderator, reason="Spam")
    db.session.commit()
    html = page(as_member, f"/t/{thread.id}")
    assert "Soon to be hidden." not in html and "Hidden by a moderator: Spam" in html


def test_an_edit_shows_at_once(app: Flask) -> None:
    author = make_user()
    thread = make_thread(author=author, body="First wording.")
    as_author = reader(app, author)
    assert "First wording." in page(as_author, f"/t/{thread.id}")
    response = as_author.post(
        f"/p/{thread.last_post_id}/edit", data={"body": "Second wording.", "title": thread.title}
    )
    assert response.status_code == 302
    html = page(as_author, f"/t/{thread.id}")
    assert "Second wording." in html and "First wording." not in html
    assert "edited" in html


def test_a_move_to_a_department_board_takes_the_thread_out_of_outsiders_pages(app: Flask) -> None:
    department = make_department()
    admin, outsider = make_user(Role.ADMIN), make_user()
    staff_board = make_board()
    secret_board = make_board(department=department)
    thread = make_thread(staff_board, title="Moving soon", body="Movable text.")
    as_outsider = reader(app, outsider)
    assert "Movable text." in page(as_outsider, f"/t/{thread.id}")
    assert "Moving soon" in page(as_outsider, f"/b/{staff_board.slug}")
    assert "Moving soon" in page(as_outsider, "/")

    services.move_thread(thread, actor=admin, to_board=secret_board)
    db.session.commit()
    page(as_outsider, f"/t/{thread.id}", 404)
    assert "Moving soon" not in page(as_outsider, f"/b/{staff_board.slug}")
    assert "Moving soon" not in page(as_outsider, "/")


def test_reactions_and_new_marks_are_each_readers_own(app: Flask) -> None:
    author, fan, other = make_user(), make_user(), make_user()
    thread = make_thread(author=author)
    post = make_post(thread, author=author, body="Worth a thanks.")
    as_fan, as_other = reader(app, fan), reader(app, other)
    page(as_other, f"/t/{thread.id}")  # fills the cache, and marks the thread read
    response = as_fan.post(f"/p/{post.id}/react", data={"kind": "thanks"})
    assert response.status_code == 302
    html = page(as_fan, f"/t/{thread.id}")
    assert (
        'class="reaction is-mine" aria-pressed="true">Thanks <span class="count">1</span>' in html
    )
    html = page(as_other, f"/t/{thread.id}")
    assert 'class="reaction" aria-pressed="false">Thanks <span class="count">1</span>' in html
    assert "is-mine" not in html
    assert "new-marker" not in html

    newer = make_post(thread, author=author, body="A newer reply.")
    html = page(as_other, f"/t/{thread.id}")
    assert f'id="post-{newer.id}" class="post is-new"' in html
    assert f'id="post-{post.id}" class="post"' in html
    # The listing's unread marks are the reader's too: read up to the newest post just now.
    assert "is-unread" not in page(as_other, f"/b/{thread.board.slug}")
    assert "is-unread" in page(reader(app, make_user()), f"/b/{thread.board.slug}")


def test_the_cached_content_around_the_posts_shows_each_reader_their_own_state(
    app: Flask,
) -> None:
    author, watcher, behind = make_user(), make_user(), make_user()
    thread = make_thread(author=author)
    as_watcher, as_behind = reader(app, watcher), reader(app, behind)
    page(as_behind, f"/t/{thread.id}")  # read up to the opening post
    make_post(thread, author=author, body="A reply the second reader has not seen.")
    assert as_watcher.post(f"/t/{thread.id}/watch", data={"watch": "1"}).status_code == 302

    html = page(as_watcher, f"/t/{thread.id}")  # fills the cache, and reads everything
    assert 'name="watch" value="0"' in html and "Stop watching" in html
    assert "Jump to first unread" not in html
    html = page(as_behind, f"/t/{thread.id}")  # from the cache
    assert 'name="watch" value="1"' in html and "Watch replies" in html
    assert "Stop watching" not in html
    assert f'href="/t/{thread.id}/unread">Jump to first unread' in html
    html = page(as_watcher, f"/t/{thread.id}")
    assert "Stop watching" in html and "Jump to first unread" not in html


def test_a_deleted_threads_notice_is_never_served_from_the_cache(app: Flask) -> None:
    moderator = make_user()
    board = make_board(moderators=[moderator])
    thread = make_thread(board, title="Soon gone")
    as_moderator = reader(app, moderator)
    assert "This thread is deleted." not in page(as_moderator, f"/t/{thread.id}")
    services.delete_thread(db.session.get(type(thread), thread.id), actor=moderator)
    db.session.commit()
    html = page(as_moderator, f"/t/{thread.id}")
    assert "This thread is deleted." in html and "Restore thread" in html
    services.restore_thread(db.session.get(type(thread), thread.id), actor=moderator)
    db.session.commit()
    html = page(as_moderator, f"/t/{thread.id}")
    assert "This thread is deleted." not in html and "Restore thread" not in html


def test_a_new_name_shows_on_cached_pages(app: Flask) -> None:
    author, member = make_user(display_name="Old Name"), make_user()
    thread = make_thread(author=author)
    as_member = reader(app, member)
    assert "Old Name" in page(as_member, f"/t/{thread.id}")
    assert "Old Name" in page(as_member, "/")
    renamed = db.session.get(User, author.id)
    assert renamed is not None
    accounts.update_profile(
        renamed, display_name="New Name", email_preference=renamed.email_preference
    )
    db.session.commit()
    for path in (f"/t/{thread.id}", "/", f"/b/{thread.board.slug}"):
        html = page(as_member, path)
        assert "New Name" in html and "Old Name" not in html, path


def test_the_cached_answer_box_and_tags_follow_the_thread(app: Flask) -> None:
    """The first page's entry keeps the thread's tags and its answer box: each change to
    them shows at once to a reader whose page was cached."""
    asker, marker, member = make_user(), make_user(display_name="Marker Before"), make_user()
    moderator = make_user()
    board = make_board(moderators=[moderator, marker])
    thread = make_thread(board, author=asker, body="How do we archive a page?", tags=["pages"])
    answer = make_post(thread, body="Export it first, then archive.")
    as_member = reader(app, member)
    html = page(as_member, f"/t/{thread.id}")
    assert "#pages" in html and 'id="solution-heading"' not in html

    services.mark_solution(db.session.get(type(thread), thread.id), actor=marker, post=answer)
    db.session.commit()
    html = page(as_member, f"/t/{thread.id}")
    box = html.split('id="solution-heading"')[1].split("</section>")[0]
    assert "Export it first, then archive." in box and "Marker Before" in box

    renamed = db.session.get(User, marker.id)
    assert renamed is not None
    accounts.update_profile(
        renamed, display_name="Marker After", email_preference=renamed.email_preference
    )
    db.session.commit()
    html = page(as_member, f"/t/{thread.id}")
    assert "Marker After" in html and "Marker Before" not in html

    opening = services.thread_posts(thread).items[0]
    services.edit_post(opening, editor=asker, body="How do we archive a page?", tags="archive")
    db.session.commit()
    html = page(as_member, f"/t/{thread.id}")
    assert "#archive" in html and "#pages" not in html

    services.hide_post(db.session.get(type(answer), answer.id), actor=moderator, reason="Wrong")
    db.session.commit()
    html = page(as_member, f"/t/{thread.id}")
    assert 'id="solution-heading"' not in html and "Export it first" not in html


def test_only_solvers_get_the_solution_picker(app: Flask) -> None:
    author, member = make_user(), make_user()
    thread = make_thread(author=author, kind="question")
    assert reader(app, author).get(f"/t/{thread.id}/solution").status_code == 200
    assert reader(app, member).get(f"/t/{thread.id}/solution").status_code == 403
    assert "Solved by a fix thread?" not in page(reader(app, member), f"/t/{thread.id}")


def test_a_plain_read_writes_nothing_and_a_cached_page_runs_few_queries(app: Flask) -> None:
    member = make_user()
    thread = make_thread(author=make_user())
    for _ in range(40):
        services.add_post(thread, author=make_user(), body="More.")
    db.session.commit()
    as_member = reader(app, member)
    page(as_member, f"/t/{thread.id}")  # marks the first page read, fills the cache
    # Each count includes the reader (1) and what other capabilities add to every page: the
    # alerts bell (1) and, on a thread, the escalation panel (1). A cached thread page does
    # not load the thread's tags (they are in the entry).
    for path, expected in ((f"/t/{thread.id}", 7), (f"/b/{thread.board.slug}", 7), ("/", 5)):
        page(as_member, path)
        with sql_statements(transaction_control=False) as seen:
            page(as_member, path)
        writes = [s for s in seen if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
        assert writes == [], (path, writes)
        assert len(seen) == expected, (path, [" ".join(s.split())[:40] for s in seen])


def test_a_pinned_thread_comes_first_on_the_activity_page_at_once(app: Flask) -> None:
    moderator, member = make_user(), make_user()
    board, other = make_board(moderators=[moderator]), make_board()
    welcome = make_thread(board, title="Welcome and house rules")
    make_thread(other, title="Newer news on another board")
    make_thread(board, title="Newest question")
    home = reader(app, member)
    before = page(home, "/")
    assert before.index("Newest question") < before.index("Welcome and house rules")

    pinning = reader(app, moderator)
    assert pinning.post(f"/t/{welcome.id}/pin", data={"pinned": "1"}).status_code == 302
    after = page(home, "/")  # the pin bumped the board's version: a new listing, not the cache
    assert after.index("Welcome and house rules") < after.index("Newest question")
    assert after.index("Newest question") < after.index("Newer news on another board")

    assert pinning.post(f"/t/{welcome.id}/pin", data={"pinned": "0"}).status_code == 302
    unpinned = page(home, "/")
    assert unpinned.index("Newest question") < unpinned.index("Welcome and house rules")


def test_feeds_and_tag_pages_keep_plain_order_of_activity(app: Flask) -> None:
    member, board = make_user(), make_board()
    old = make_thread(board, title="Old pinned")
    newer = make_thread(board, title="Newer")
    services.set_pinned(old, actor=make_user(Role.ADMIN), pinned=True)
    db.session.commit()
    assert [t.id for t in services.recent_threads(member).items][:2] == [newer.id, old.id]
    pinned_first = services.recent_threads(member, pinned_first=True).items
    assert [t.id for t in pinned_first][:2] == [old.id, newer.id]


def test_a_split_rendering_is_filled_in_order_with_every_slot() -> None:
    from forum.boards import pages

    slots = pages.Slots()
    html = f"<p{slots('new')}>{slots('csrf')} and {slots('csrf')}</p>{slots('badge')}"
    parts = slots.split(html)

    filled = pages.fill(parts, {"new": ' class="n"', "csrf": "T", "badge": "<b>!</b>"})

    assert filled == '<p class="n">T and T</p><b>!</b>'
    assert pages.fill(slots.split("no slots here"), {}) == "no slots here"
