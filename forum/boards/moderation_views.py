"""HTML routes for moderators and members reporting posts: pin, lock, move, hide, flags."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from forum.boards import forms, services
from forum.boards.models import Board
from forum.boards.views import (
    _require_empty_form,
    apply_errors,
    bp,
    me,
    post_url,
    thread_url,
)
from forum.core.errors import Invalid, NotFound
from forum.core.pagination import page_number
from forum.extensions import db


@bp.post("/t/<id:thread_id>/pin")
def thread_pin(thread_id: int) -> ResponseReturnValue:
    _require_empty_form()
    thread = services.get_visible_thread(me(), thread_id)
    services.set_pinned(thread, actor=me(), pinned=request.form.get("pinned") != "0")
    db.session.commit()
    flash("Pinned to the top of the board." if thread.is_pinned else "Unpinned.", "success")
    return redirect(thread_url(thread))


@bp.post("/t/<id:thread_id>/lock")
def thread_lock(thread_id: int) -> ResponseReturnValue:
    _require_empty_form()
    thread = services.get_visible_thread(me(), thread_id)
    services.set_locked(thread, actor=me(), locked=request.form.get("locked") != "0")
    db.session.commit()
    flash("Locked: no new replies." if thread.is_locked else "Unlocked.", "success")
    return redirect(thread_url(thread))


@bp.route("/t/<id:thread_id>/move", methods=["GET", "POST"])
def thread_move(thread_id: int) -> ResponseReturnValue:
    user = me()
    thread = services.get_visible_thread(user, thread_id)
    if not services.can_moderate(user, thread.board):
        abort(403)
    form = forms.MoveForm()
    boards = [b for b in services.visible_boards(user) if b.id != thread.board_id]
    form.board.choices = [SelectChoice(b.slug, b.name) for b in boards]
    status = 200
    if form.validate_on_submit():
        target: Board | None = next((b for b in boards if b.slug == form.board.data), None)
        if target is None:
            raise NotFound("There is no such board.")
        try:
            services.move_thread(thread, actor=user, to_board=target)
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc)
            status = 400
        else:
            db.session.commit()
            flash(f"Moved to {target.name}.", "success")
            return redirect(thread_url(thread))
    elif request.method == "POST":
        status = 400
    return render_template("boards/thread_move.html", thread=thread, form=form), status


def _reason_page(endpoint: str, post_id: int, *, title: str, action: str) -> ResponseReturnValue:
    """GET shows the reason form; POST runs `action` ("hide" or "flag")."""
    user = me()
    post = services.get_visible_post(user, post_id)
    if action == "hide" and not services.can_moderate(user, post.thread.board):
        abort(403)
    form = forms.ReasonForm()
    status = 200
    if form.validate_on_submit():
        try:
            if action == "hide":
                services.hide_post(post, actor=user, reason=form.reason.data or "")
                message = "Post hidden."
            else:
                services.flag_post(post, reporter=user, reason=form.reason.data or "")
                message = "Thanks: the moderators will look at it."
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc)
            status = 400
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(post_url(post))
    elif request.method == "POST":
        status = 400
    return render_template(
        "boards/post_reason.html", post=post, form=form, title=title, endpoint=endpoint
    ), status


@bp.route("/p/<id:post_id>/hide", methods=["GET", "POST"])
def post_hide(post_id: int) -> ResponseReturnValue:
    return _reason_page("boards.post_hide", post_id, title="Hide this post", action="hide")


@bp.route("/p/<id:post_id>/flag", methods=["GET", "POST"])
def post_flag(post_id: int) -> ResponseReturnValue:
    return _reason_page(
        "boards.post_flag", post_id, title="Flag this post for the moderators", action="flag"
    )


@bp.get("/moderation/flags")
def flags() -> ResponseReturnValue:
    user = me()
    if services.moderated_board_ids(user) == set():
        abort(403)
    page = services.open_flags(user, page=page_number(request.args.get("page")))
    return render_template("boards/flags.html", flags=page, form=forms.FlagResolveForm())


@bp.post("/moderation/flags/<id:flag_id>")
def flag_resolve(flag_id: int) -> ResponseReturnValue:
    form = forms.FlagResolveForm()
    if not form.validate_on_submit():
        raise Invalid(fields={"action": "Choose dismiss or resolve."})
    flag = services.get_flag(me(), flag_id)
    services.resolve_flag(flag, actor=me(), dismiss=form.action.data == "dismiss")
    db.session.commit()
    flash("Flag closed.", "success")
    return redirect(url_for("boards.flags"))
