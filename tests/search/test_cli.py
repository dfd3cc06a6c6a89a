"""`flask search rebuild | drain | status`."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner

from forum.search import cli, indexing
from forum.search.locks import FileLock
from tests.search.factories import index_dir, indexed, make_board, make_reply, make_thread


def test_rebuild_is_quiet_without_a_terminal(app: Flask, runner: FlaskCliRunner) -> None:
    thread = make_thread(make_board(), title="Shredder")
    make_reply(thread)
    make_thread(make_board(), title="Stapler")
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert result.output == "Search index rebuilt: 3 documents from 2 threads.\n"
    assert len(indexed()) == 3


def test_rebuild_shows_a_progress_bar_on_a_terminal(
    app: Flask, runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_thread(make_board(), title="Shredder")
    monkeypatch.setattr(cli, "_is_terminal", lambda: True)
    result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "Indexing threads" in result.output
    assert result.output.endswith("Search index rebuilt: 1 documents from 1 threads.\n")


def test_rebuild_refuses_while_another_runs(app: Flask, runner: FlaskCliRunner) -> None:
    make_thread(make_board())
    with indexing.get_backend().rebuild_lock() as other:
        assert other
        result = runner.invoke(args=["search", "rebuild"])
    assert result.exit_code == 1
    assert "already being rebuilt" in result.output


@pytest.mark.whoosh_only
def test_drain_applies_what_a_locked_writer_left_queued(app: Flask, runner: FlaskCliRunner) -> None:
    app.config["SEARCH_LOCK_TIMEOUT_SECONDS"] = 0.05
    board = make_board()
    make_thread(board)
    other = FileLock(Path(index_dir()) / "write.lock")
    assert other.acquire()
    try:
        thread = make_thread(board, title="Left in the queue")
        result = runner.invoke(args=["search", "drain"])
        assert result.exit_code == 1
        assert "1 waiting" in result.output and "locked" in result.output
        assert runner.invoke(args=["search", "status"]).output == (
            "Search index: ready; 1 changes queued.\n"
        )
    finally:
        other.release()
    result = runner.invoke(args=["search", "drain"])
    assert result.exit_code == 0
    assert result.output == "Applied 1 queued changes; 0 waiting.\n"
    assert f"thread:{thread.id}" in indexed()
    assert indexing.pending_count() == 0
