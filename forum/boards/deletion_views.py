"""HTML routes for deleting a whole thread, restoring it, and the moderators' list of
deleted threads."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from forum.boards import bp, services
from forum.boards.models import THREAD_RESTORE_DAYS
from forum.boards.views import me, thread_url
from forum.core.forms import ActionForm, require_action
from forum.core.pagination import page_number
from forum.extensions import db


@bp.route("/t/<id:thread_id>/delete", methods=["GET", "POST"])
def thread_delete(thread_id: int) -> ResponseReturnValue:
    """GET asks to confirm (a link prefetched by a browser deletes nothing); POST deletes."""
    user = me()
    thread = services.get_visible_thread(user, thread_id)
    if request.method == "GET":
        if not services.can_delete_thread(user, thread):
            abort(403)
        return render_template(
            "boards/thread_delete.html",
            thread=thread,
            form=ActionForm(),
            restore_days=THREAD_RESTORE_DAYS,
        )
    require_action()
    board_slug = thread.board.slug
    services.delete_thread(thread, actor=user)
    db.session.commit()
    return thread_deleted(board_slug)


def thread_deleted(board_slug: str) -> ResponseReturnValue:
    """Where a deleted thread's page was: back to its board, saying how to get it back."""
    flash(
        f"Thread deleted. Moderators of the board can restore it for {THREAD_RESTORE_DAYS} days.",
        "success",
    )
    return redirect(url_for("boards.board_detail", slug=board_slug))


@bp.post("/t/<id:thread_id>/restore")
def thread_restore(thread_id: int) -> ResponseReturnValue:
    require_action()
    user = me()
    thread = services.get_visible_thread(user, thread_id)
    services.restore_thread(thread, actor=user)
    db.session.commit()
    flash("Thread restored.", "success")
    return redirect(thread_url(thread))


@bp.get("/moderation/deleted")
def deleted_threads() -> ResponseReturnValue:
    user = me()
    if services.moderated_board_ids(user) == set():
        abort(403)
    page = services.deleted_threads(user, page=page_number(request.args.get("page")))
    return render_template(
        "boards/deleted_threads.html",
        threads=page,
        form=ActionForm(),
        restore_days=THREAD_RESTORE_DAYS,
    )
