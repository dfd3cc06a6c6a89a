"""The index follows every change after commit, never before, and survives locks and damage."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest
from flask import Flask

from forum.accounts.models import Role
from forum.boards import services as boards
from forum.boards.models import BoardVisibility, PostKind
from forum.extensions import db
from forum.search import documents, indexing, services
from forum.search.backend import IndexState, IndexUnavailable
from forum.search.indexing import SearchStatus
from forum.search.locks import FileLock
from tests.factories import make_department, make_user
from tests.search.factories import (
    first_post,
    found,
    hits,
    index_dir,
    indexed,
    make_board,
    make_reply,
    make_thread,
)


def write_lock_file() -> FileLock:
    return FileLock(Path(index_dir()) / "write.lock")


def rebuild_lock_file() -> FileLock:
    return FileLock(Path(index_dir()) / "rebuild.lock")


def live_dir() -> Path:
    root = Path(index_dir())
    return root / (root / "CURRENT").read_text().strip()


def test_create_indexes_thread_and_reply_after_commit(app: Flask) -> None:
    thread = make_thread(
        make_board(), title="Kiosk screen frozen", body="It froze at noon.", tags=["kiosks"]
    )
    reply = make_reply(thread, body="Unplug the kiosk for ten seconds.")
    docs = indexed()
    assert docs[f"thread:{thread.id}"]["thread_title"] == "Kiosk screen frozen"
    assert docs[f"thread:{thread.id}"]["text"] == "It froze at noon."
    assert docs[f"thread:{thread.id}"]["board_id"] == str(thread.board_id)
    assert docs[f"post:{reply.id}"]["text"] == "Unplug the kiosk for ten seconds."
    assert indexing.pending_count() == 0


def test_nothing_reaches_the_index_before_commit_and_a_rollback_leaves_no_trace(app: Flask) -> None:
    board = make_board()
    author = make_user()
    make_thread(board, title="Kept thread")
    before = indexed()
    boards.create_thread(
        board,
        author=author,
        kind=PostKind.WIN,
        title="Rolled back thread",
        body="This never happened.",
    )
    assert indexed() == before  # flushed, not committed: not indexed yet
    db.session.rollback()
    assert indexing.pending_count() == 0
    assert indexed() == before
    assert hits(make_user(), "rolled") == []
    # The next commit does not resurrect it either.
    make_thread(board, title="Another thread")
    assert "Rolled back thread" not in {d["thread_title"] for d in indexed().values()}


def test_edit_of_a_reply_replaces_its_text(app: Flask) -> None:
    thread = make_thread(make_board())
    reply = make_reply(thread, body="Use the blue cable.")
    boards.edit_post(reply, editor=reply.author, body="Use the red cable.")
    db.session.commit()
    reader = make_user()
    assert hits(reader, "blue") == []
    assert hits(reader, "red") == [(thread.id, reply.id)]


def test_edit_of_the_opening_post_changes_title_kind_and_tags_everywhere(app: Flask) -> None:
    thread = make_thread(
        make_board(),
        kind=PostKind.QUESTION,
        title="Scanner question",
        body="How do I scan to email?",
        tags=["scanners"],
    )
    reply = make_reply(thread, body="Press the scan key.")
    opening = first_post(thread)
    boards.edit_post(
        opening,
        editor=thread.author,
        body="How do I scan to a folder?",
        title="Scanner folder setup",
        kind=PostKind.FIX,
        tags=["folders"],
    )
    db.session.commit()
    reader = make_user()
    assert hits(reader, "email") == []
    assert hits(reader, "folder") == [(thread.id, opening.id)]
    assert hits(reader, "setup") == [(thread.id, opening.id)]
    # Replies carry the thread's kind and tags, so they follow too.
    assert set(found(reader, "kind:fix")) == {(thread.id, opening.id), (thread.id, reply.id)}
    assert hits(reader, "kind:question") == []
    assert set(found(reader, "tag:folders")) == {(thread.id, opening.id), (thread.id, reply.id)}
    assert hits(reader, "tag:scanners") == []


def test_deleted_and_hidden_posts_leave_the_index_and_return_when_restored(app: Flask) -> None:
    moderator = make_user(Role.ADMIN)
    thread = make_thread(make_board(), title="Projector", body="The projector hums.")
    deleted = make_reply(thread, body="Secret wifi password is hunter2.")
    hidden = make_reply(thread, body="Buy cheap projector bulbs here.")
    boards.delete_post(deleted, actor=deleted.author)
    boards.hide_post(hidden, actor=moderator, reason="Spam")
    db.session.commit()
    docs = indexed()
    assert f"post:{deleted.id}" not in docs and f"post:{hidden.id}" not in docs
    reader = make_user()
    assert hits(reader, "hunter2") == []
    assert hits(reader, "bulbs") == []

    boards.restore_post(hidden, actor=moderator)
    db.session.commit()
    assert hits(reader, "bulbs") == [(thread.id, hidden.id)]


def test_move_updates_the_threads_documents_only(app: Flask) -> None:
    housing = make_department()
    staff_board = make_board()
    housing_board = make_board(department=housing)
    moved = make_thread(staff_board, title="Damp report template")
    reply = make_reply(moved, body="Template attached.")
    untouched = make_thread(staff_board, title="Other template")
    outsider = make_user()
    assert {t for t, _ in hits(outsider, "template")} == {moved.id, untouched.id}

    with pytest.MonkeyPatch.context() as patch:
        queued: list[list[tuple[str, int, str]]] = []
        real = documents.batch_for
        patch.setattr(
            documents,
            "batch_for",
            lambda session, rows: queued.append(list(rows)) or real(session, rows),
        )
        boards.move_thread(moved, actor=make_user(Role.ADMIN), to_board=housing_board)
        db.session.commit()
    assert queued == [[("thread", moved.id, "index")]]
    docs = indexed()
    assert docs[f"thread:{moved.id}"]["board_id"] == str(housing_board.id)
    assert docs[f"post:{reply.id}"]["board_id"] == str(housing_board.id)
    assert docs[f"thread:{untouched.id}"]["board_id"] == str(staff_board.id)
    assert {t for t, _ in hits(outsider, "template")} == {untouched.id}
    assert {t for t, _ in hits(make_user(department=housing), "template")} == {
        moved.id,
        untouched.id,
    }


def test_a_visibility_change_applies_at_once_without_reindexing(app: Flask) -> None:
    housing = make_department()
    board = make_board()
    thread = make_thread(board, title="Rent arrears letter")
    outsider = make_user()
    assert [t for t, _ in hits(outsider, "arrears")] == [thread.id]
    admin = make_user(Role.ADMIN)
    boards.update_board(
        admin,
        board,
        slug=board.slug,
        name=board.name,
        description=board.description,
        visibility=BoardVisibility.DEPARTMENT,
        department=housing,
        position=board.position,
    )
    db.session.commit()
    assert indexing.pending_count() == 0
    assert hits(outsider, "arrears") == []
    assert [t for t, _ in hits(make_user(department=housing), "arrears")] == [thread.id]
    boards.update_board(
        admin,
        board,
        slug=board.slug,
        name=board.name,
        description=board.description,
        visibility=BoardVisibility.STAFF,
        department=None,
        position=board.position,
    )
    db.session.commit()
    assert [t for t, _ in hits(outsider, "arrears")] == [thread.id]


@pytest.mark.whoosh_only
def test_a_writer_that_cannot_get_the_lock_leaves_its_change_queued(app: Flask) -> None:
    app.config["SEARCH_LOCK_TIMEOUT_SECONDS"] = 0.1
    board = make_board()
    make_thread(board, title="Warm-up")
    other_worker = write_lock_file()
    assert other_worker.acquire()
    try:
        thread = make_thread(board, title="Queued while locked")
        assert indexing.pending_count() == 1
        assert f"thread:{thread.id}" not in indexed()
        assert indexing.drain(timeout=0).skipped == "locked"
    finally:
        other_worker.release()
    # The next drain (here, the search itself) applies it.
    assert [t for t, _ in hits(make_user(), "queued")] == [thread.id]
    assert indexing.pending_count() == 0


@pytest.mark.whoosh_only
def test_a_failed_index_write_keeps_the_rows_for_the_next_drain(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    board = make_board()
    make_thread(board, title="Warm-up")
    backend = indexing.get_backend()

    def broken(batch: object) -> None:
        raise IndexUnavailable("disk full")

    monkeypatch.setattr(backend, "apply", broken)
    thread = make_thread(board, title="Survives a failed write")
    assert indexing.pending_count() == 1
    monkeypatch.undo()
    assert indexing.drain().applied == 1
    assert f"thread:{thread.id}" in indexed()


# Whoosh leaves a file open when it fails to read a damaged index; that is all these ignore.
damaged_index = pytest.mark.filterwarnings(
    "ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning"
)


@pytest.mark.whoosh_only
@damaged_index
@pytest.mark.parametrize("damage", ["garbage", "segments-gone", "directory-gone"])
def test_a_corrupt_index_is_detected_and_rebuilt_from_the_database(app: Flask, damage: str) -> None:
    thread = make_thread(make_board(), title="Shredder maintenance")
    reply = make_reply(thread, body="Oil the shredder monthly.")
    broken = live_dir()
    for path in broken.iterdir():
        if damage == "garbage":
            path.write_bytes(b"\x00not an index\xff" * 10)
        elif damage == "segments-gone" and not path.name.endswith(".toc"):
            path.unlink()
    if damage == "directory-gone":
        shutil.rmtree(broken)
    assert indexing.get_backend().state() is IndexState.CORRUPT
    outcome = services.search(make_user(), q="shredder")
    assert outcome.status is SearchStatus.READY
    assert {(r.thread_id, p.post_id) for r in outcome.page.items for p in r.posts} == {
        (thread.id, first_post(thread).id),
        (thread.id, reply.id),
    }
    assert live_dir() != broken
    gc.collect()


@pytest.mark.whoosh_only
def test_a_missing_index_is_built_on_first_use(app: Flask) -> None:
    thread = make_thread(make_board(), title="Franking machine")
    shutil.rmtree(index_dir())
    assert indexing.get_backend().state() is IndexState.MISSING
    assert [t for t, _ in hits(make_user(), "franking")] == [thread.id]


@pytest.mark.whoosh_only
def test_while_another_process_rebuilds_search_says_so_and_changes_wait(app: Flask) -> None:
    board = make_board()
    old = make_thread(board, title="Binder jam")
    rebuilder = rebuild_lock_file()
    assert rebuilder.acquire()
    try:
        new = make_thread(board, title="Binder fixed")
        assert indexing.pending_count() == 1
        outcome = services.search(make_user(), q="binder")
        assert outcome.status is SearchStatus.REBUILDING
        # The old index still answers meanwhile.
        assert [row.thread_id for row in outcome.page.items] == [old.id]
        with pytest.raises(Exception, match="already being rebuilt"):
            indexing.rebuild()
    finally:
        rebuilder.release()
    assert {t for t, _ in hits(make_user(), "binder")} == {old.id, new.id}


@pytest.mark.whoosh_only
@damaged_index
def test_a_big_database_is_rebuilt_in_the_background(app: Flask) -> None:
    thread = make_thread(make_board(), title="Guillotine blade")
    app.config["SEARCH_INLINE_REBUILD_MAX_POSTS"] = 0
    for path in live_dir().iterdir():
        path.write_bytes(b"junk")
    rebuilder = rebuild_lock_file()
    assert rebuilder.acquire()  # keep the background rebuild from finishing too early
    try:
        outcome = services.search(make_user(), q="guillotine")
        assert outcome.status is SearchStatus.REBUILDING
        assert outcome.page.items == []
    finally:
        rebuilder.release()
    assert indexing.ensure_index() is SearchStatus.REBUILDING
    indexing.wait_for_background_rebuild(timeout=30)
    assert indexing.status() is SearchStatus.READY
    assert [t for t, _ in hits(make_user(), "guillotine")] == [thread.id]
    gc.collect()


@pytest.mark.whoosh_only
def test_rebuild_keeps_one_previous_generation_and_clears_older_ones(app: Flask) -> None:
    make_thread(make_board(), title="Stapler")
    first = live_dir()
    indexing.rebuild()
    second = live_dir()
    indexing.rebuild()
    third = live_dir()
    assert len({first, second, third}) == 3
    assert not first.exists() and second.exists() and third.exists()


def test_savepoints_neither_drain_early_nor_lose_changes(app: Flask) -> None:
    board = make_board()
    author = make_user()
    make_thread(board, title="Warm-up")
    kept = boards.create_thread(
        board, author=author, kind=PostKind.WIN, title="Kept win", body="Outer transaction."
    )
    with db.session.begin_nested():
        inner = boards.add_post(kept, author=author, body="Inside a released savepoint.")
    assert f"thread:{kept.id}" not in indexed()  # a savepoint release is not a commit
    db.session.commit()
    docs = indexed()
    assert docs[f"thread:{kept.id}"]["text"] == "Outer transaction."
    assert docs[f"post:{inner.id}"]["text"] == "Inside a released savepoint."

    boards.edit_post(inner, editor=author, body="Edited before the savepoint.")
    savepoint = db.session.begin_nested()
    boards.add_post(kept, author=author, body="Inside a rolled back savepoint.")
    savepoint.rollback()
    db.session.commit()
    docs = indexed()
    assert docs[f"post:{inner.id}"]["text"] == "Edited before the savepoint."
    assert [d["text"] for d in docs.values() if "rolled back" in d["text"]] == []
    assert indexing.pending_count() == 0
