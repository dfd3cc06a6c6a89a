"""Drafts from the writing forms: the "Save draft" button (no JavaScript needed), and the JSON
routes static/js/drafts.js uses to save as people type and to fill the thread page's reply form."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.typing import ResponseReturnValue

from forum.boards import bp, drafts, services
from forum.boards.views import me
from forum.core.forms import require_action
from forum.extensions import db


def wants_draft() -> bool:
    """The form's "Save draft" button was pressed."""
    return request.method == "POST" and request.form.get("action") == "draft"


def had_draft() -> bool:
    """The form was sent with a draft behind it (restored, or saved as the person typed)."""
    return request.form.get("draft") == "1"


def save_from(form: Any, key: str) -> None:
    """Keep what the form holds as the person's draft (CSRF checked), and commit."""
    require_action()
    drafts.save(
        me().id,
        key,
        body=form.body.data or "",
        title=getattr(getattr(form, "title", None), "data", None),
        kind=getattr(getattr(form, "kind", None), "data", None),
        tags=request.form.get("tags") if hasattr(form, "tags") else None,
    )
    db.session.commit()


def restore_into(form: Any, key: str) -> drafts.Draft | None:
    """Fill an empty form from the person's draft; the draft, if one was used."""
    draft = drafts.get(me().id, key)
    if draft is None or (form.body.data or "").strip():
        return None
    form.body.data = draft.body
    if hasattr(form, "title") and draft.title and not form.title.data:
        form.title.data = draft.title
    if hasattr(form, "kind") and draft.kind:
        form.kind.data = draft.kind
    if hasattr(form, "tags") and draft.tags and not form.tags.data:
        form.tags.data = draft.tags
    return draft


def forget(key: str) -> None:
    """The post was saved: its draft goes (in a short transaction of its own)."""
    drafts.clear(me().id, key)
    db.session.commit()


def _answer(key: str) -> ResponseReturnValue:
    draft = drafts.get(me().id, key)
    if draft is None:
        return {"draft": None}
    return {
        "draft": {
            "body": draft.body,
            "title": draft.title,
            "kind": draft.kind,
            "tags": draft.tags,
            "updated_at": draft.updated_at.isoformat(),
        }
    }


def _keep(key: str) -> ResponseReturnValue:
    require_action()
    drafts.save(
        me().id,
        key,
        body=request.form.get("body", ""),
        title=request.form.get("title"),
        kind=request.form.get("kind"),
        tags=request.form.get("tags"),
    )
    db.session.commit()
    return "", 204


@bp.route("/drafts/thread/<id:thread_id>", methods=["GET", "POST"])
def reply_draft(thread_id: int) -> ResponseReturnValue:
    """The person's draft reply to a thread they may see (GET: as JSON; POST: keep it)."""
    thread = services.get_visible_thread(me(), thread_id)
    key = drafts.reply_key(thread.id)
    return _answer(key) if request.method == "GET" else _keep(key)


@bp.route("/drafts/b/<slug>", methods=["GET", "POST"])
def thread_draft(slug: str) -> ResponseReturnValue:
    """The person's draft of a new thread on a board they may see."""
    board = services.get_visible_board(me(), slug)
    key = drafts.thread_key(board.id)
    return _answer(key) if request.method == "GET" else _keep(key)
