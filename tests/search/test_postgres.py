"""The PostgreSQL backend's own parts: documents written in the writer's transaction, rebuilds,
the operators translated to tsquery and SQL, visibility in SQL, and escaped snippets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import delete, event, func, insert, select, text
from sqlalchemy.orm import Session

from forum.accounts.models import Role
from forum.boards import services as boards
from forum.boards.models import PostKind
from forum.extensions import db
from forum.search import indexing, services
from forum.search.backend import IndexState
from forum.search.models import SearchDocumentRow, SearchQueueItem
from tests.conftest import ON_POSTGRES
from tests.factories import make_department, make_user, sql_statements
from tests.search.factories import (
    first_post,
    found,
    hits,
    indexed,
    make_board,
    make_reply,
    make_thread,
)

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not ON_POSTGRES, reason="needs DATABASE_URL=postgresql+psycopg://…"),
]


def queue_rows() -> int:
    return int(db.session.scalar(select(func.count(SearchQueueItem.id))) or 0)


def test_the_table_has_a_weighted_vector_with_a_gin_index(app: Flask) -> None:
    column = db.session.scalar(
        text(
            "SELECT data_type FROM information_schema.columns"
            " WHERE table_name = 'search_documents' AND column_name = 'search_vector'"
        )
    )
    assert column == "tsvector"
    index = db.session.scalar(
        text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_search_documents_search_vector'"
        )
    )
    assert "USING gin" in index


def test_a_write_and_its_documents_commit_together_without_a_queue(app: Flask) -> None:
    thread = make_thread(make_board(), title="Kettle descaling", tags=["kitchen"])
    reply = make_reply(thread, body="Use citric acid.")
    docs = indexed()
    assert docs[f"thread:{thread.id}"]["text"] == "What happened and what we tried."
    assert docs[f"post:{reply.id}"]["text"] == "Use citric acid."
    assert queue_rows() == 0 and indexing.pending_count() == 0


def test_a_rolled_back_write_leaves_no_document(app: Flask) -> None:
    board = make_board()
    author = make_user()
    kept = make_thread(board, title="Kept kettle")
    before = indexed()
    boards.create_thread(
        board, author=author, kind=PostKind.WIN, title="Vanishing kettle", body="Never was."
    )
    reply = boards.add_post(kept, author=author, body="A rolled back reply about kettles.")
    reply_id = reply.id
    db.session.flush()
    assert indexed() == before  # nothing is visible before the commit
    db.session.rollback()
    assert indexed() == before
    assert queue_rows() == 0
    # The next commit of this session writes nothing left over from the rolled back one.
    make_reply(kept, body="A real reply.")
    docs = indexed()
    assert f"post:{reply_id}" not in docs or docs[f"post:{reply_id}"]["text"] == "A real reply."
    assert [d for d in docs.values() if "Vanishing" in d["thread_title"]] == []
    assert hits(make_user(), "vanishing") == []


def test_rebuild_restores_every_document_and_drops_strays(
    app: Flask, runner: FlaskCliRunner
) -> None:
    thread = make_thread(make_board(), title="Shredder oil")
    reply = make_reply(thread, body="Oil it monthly.")
    hidden = make_reply(thread, body="Spam about shredders.")
    boards.hide_post(hidden, actor=make_user(Role.ADMIN), reason="Spam")
    db.session.commit()
    expected = indexed()
    db.session.execute(delete(SearchDocumentRow))
    stray = {**_row(thread.id, reply.id), "key": "post:999999", "thread_id": 999999}
    db.session.execute(insert(SearchDocumentRow).values(stray))
    db.session.commit()
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert result.output == "Search index rebuilt: 2 documents from 1 threads.\n"
    assert indexed() == expected
    assert set(expected) == {f"thread:{thread.id}", f"post:{reply.id}"}


def _row(thread_id: int, post_id: int) -> dict[str, object]:
    return {
        "key": f"post:{post_id}",
        "doc_type": "post",
        "thread_id": thread_id,
        "post_id": post_id,
        "board_id": 1,
        "kind": "question",
        "title": "Stray",
        "text": "stray",
        "tags": "",
        "author_id": 1,
        "author_terms": "",
        "author_name": "Nobody",
        "created_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    }


def test_an_empty_table_after_switching_backends_is_filled_on_first_use(app: Flask) -> None:
    thread = make_thread(make_board(), title="Franking machine")
    db.session.execute(delete(SearchDocumentRow))
    db.session.commit()
    assert indexing.get_backend().state() is IndexState.MISSING
    assert [t for t, _ in hits(make_user(), "franking")] == [thread.id]
    assert indexing.get_backend().state() is IndexState.READY


def test_operators_beyond_the_shared_suite(app: Flask) -> None:
    board = make_board(slug="facilities")
    laminator = make_thread(
        board,
        title="Laminator overheating",
        body="The laminating pouch melted.",
        tags=["office-kit"],
    )
    pouch = make_thread(board, title="Pouch supplies", body="Order more laminator pouches.")
    reader = make_user()
    opening = (laminator.id, first_post(laminator).id)
    pouch_opening = (pouch.id, first_post(pouch).id)
    assert set(hits(reader, "lamin*")) == {opening, pouch_opening}
    assert hits(reader, "title:laminator") == [opening]
    assert hits(reader, "text:overheating") == []
    assert hits(reader, "title:supplies") == [pouch_opening]
    assert hits(reader, "tag:office*") == [opening]
    assert hits(reader, "tag:office") == []  # tags match whole, never a part
    # A bare word finds a thread by one of its tags' words (never the replies by it).
    assert hits(reader, "office") == [opening]
    assert set(found(reader, "office")) == {opening}
    assert hits(reader, "melted ANDMAYBE pouch") == [opening]
    assert hits(reader, '"pouch melted"') == [opening]
    assert hits(reader, '"melted pouch"') == []
    assert set(hits(reader, "pouch OR overheating -supplies")) == {opening}
    assert hits(reader, "the") == []  # stop words alone ask for nothing
    assert set(hits(reader, "board:facilities kind:question")) == {opening, pouch_opening}


def test_visibility_is_in_the_query_and_follows_a_move_at_once(app: Flask) -> None:
    housing = make_department()
    staff = make_board()
    private = make_board(department=housing)
    thread = make_thread(staff, title="Tenancy audit")
    for n in range(3):
        make_reply(thread, body=f"Audit note {n}.")
    outsider, insider = make_user(), make_user(department=housing)
    assert services.search(outsider, q="audit").page.total == 1  # one thread
    assert len(found(outsider, "audit")) == services.POSTS_PER_THREAD
    boards.move_thread(thread, actor=make_user(Role.ADMIN), to_board=private)
    db.session.commit()
    assert services.search(outsider, q="audit").page.total == 0
    assert found(outsider, "audit") == []
    assert services.search(insider, q="audit").page.total == 1
    assert len(found(insider, "audit")) == services.POSTS_PER_THREAD
    assert {d["board_id"] for d in indexed().values()} == {str(private.id)}


def test_snippets_escape_markup_and_stray_delimiters(app: Flask) -> None:
    board = make_board()
    body = "Before \x02 <b>bold</b> payload \x03 after <script>alert(1)</script>"
    make_thread(board, title="Escapes", body=body)
    long_body = " ".join(["filler"] * 80) + " <i>payload</i> & " + " ".join(["tail"] * 80)
    make_thread(board, title="Long escapes", body=long_body)
    rows = services.search(make_user(), q="payload").page.items
    assert len(rows) == 2
    for row in rows:
        html = row.snippet_html
        assert html.count("<mark>payload</mark>") == 1, html
        stripped = html.replace("<mark>payload</mark>", "")
        assert "<" not in stripped and ">" not in stripped, html
        assert "\x02" not in html and "\x03" not in html
    long_snippet = next(r.snippet_html for r in rows if r.title == "Long escapes")
    assert long_snippet.startswith("… filler") and long_snippet.endswith("tail …")
    assert "&amp;" in long_snippet


def test_a_search_made_while_a_write_commits_is_not_reused_after_it(app: Flask) -> None:
    """A reader who searches between a writer's documents and its commit caches what it saw
    under the generation of that moment; the bump after the commit retires that entry."""
    thread = make_thread(make_board(), title="Heron count")
    reader, writer = make_user(), make_user()
    assert services.search(reader, q="heron").page.total == 1
    seen_mid_commit: list[int] = []

    def search_from_another_session(session: Any) -> None:
        with app.app_context():  # a session of its own, outside the writer's transaction
            seen_mid_commit.append(services.search(reader, q="heron").page.total)
            db.session.remove()

    # On the class, after the search hooks (installed with the app): it runs once the writer's
    # documents and first bump are written, before its commit.
    event.listen(Session, "before_commit", search_from_another_session, once=True)
    try:
        make_reply(thread, author=writer, body="A second heron by the weir.")
    finally:
        if event.contains(Session, "before_commit", search_from_another_session):
            event.remove(Session, "before_commit", search_from_another_session)
    assert seen_mid_commit == [1]
    assert len(found(reader, "heron")) == 2


def test_a_write_moves_the_generation_and_a_search_at_the_same_generation_ranks_once(
    app: Flask,
) -> None:
    thread = make_thread(make_board(), title="Curlew count")
    backend = indexing.get_backend()
    before = backend.generation()
    make_reply(thread, body="Three curlews.")
    after = backend.generation()
    assert before is not None and after is not None and after != before
    reader = make_user()
    first = services.search(reader, q="curlew")
    with sql_statements() as again:
        second = services.search(reader, q="curlew")
    assert second.page.total == first.page.total == 1
    assert len(second.page.items[0].posts) == len(first.page.items[0].posts) == 2
    assert not any("ts_rank" in statement for statement in again)
