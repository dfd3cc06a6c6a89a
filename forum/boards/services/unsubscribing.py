"""Unsubscribing from watch emails by their List-Unsubscribe link: the "thread" and "board"
topics of forum.alerts.services.unsubscribe. The link ends the watch that sent the email."""

from __future__ import annotations

from flask import Flask

from forum.accounts.models import User
from forum.alerts.services import unsubscribe
from forum.boards.models import Board, Thread
from forum.boards.services import disclosure, reading, visibility
from forum.extensions import db


def _thread(ref: int | None) -> Thread | None:
    return db.session.get(Thread, ref) if ref is not None else None


def _board(ref: int | None) -> Board | None:
    return db.session.get(Board, ref) if ref is not None else None


def describe_thread(user: User, ref: int | None) -> str:
    """The thread by its title, only while the person may read it (else it is not named)."""
    thread = _thread(ref)
    if thread is None or not disclosure.can_read_thread(user, thread):
        return "a thread you watched"
    return f"the thread “{thread.title}”"


def stop_thread(user: User, ref: int | None) -> bool:
    thread = _thread(ref)
    if thread is None or not reading.is_watching_thread(user, thread):
        return False
    reading.unwatch_thread(user, thread)
    return True


def describe_board(user: User, ref: int | None) -> str:
    board = _board(ref)
    if board is None or not visibility.can_see_board(user, board):
        return "a board you watched"
    return f"new threads and replies on the board “{board.name}”"


def stop_board(user: User, ref: int | None) -> bool:
    board = _board(ref)
    if board is None or not reading.is_watching_board(user, board):
        return False
    reading.unwatch_board(user, board)
    return True


def init_app(app: Flask) -> None:
    unsubscribe.register_topic(app, "thread", describe=describe_thread, stop=stop_thread)
    unsubscribe.register_topic(app, "board", describe=describe_board, stop=stop_board)
