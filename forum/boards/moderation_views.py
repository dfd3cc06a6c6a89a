"""HTML routes for moderators and members reporting posts: pin, lock, move, hide, flags."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from forum.boards import bp, forms, services
from forum.boards.models import Board
from forum.boards.views import me, post_url, thread_url
from forum.core.errors import Invalid, NotFound
from forum.core.forms import require_action, submit
from forum.core.pagination import page_number
from forum.extensions import db


@bp.post("/t/<id:thread_id>/pin")
def thread_pin(thread_id: int) -> ResponseReturnValue:
    require_action()
    thread = services.get_visible_thread(me(), thread_id)
    services.set_pinned(thread, actor=me(), pinned=request.form.get("pinned") != "0")
    db.session.commit()
    flash("Pinned to the top of the board." if thread.is_pinned else "Unpinned.", "success")
    return redirect(thread_url(thread))


@bp.post("/t/<id:thread_id>/lock")
def thread_lock(thread_id: int) -> ResponseReturnValue:
    require_action()
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

    def move() -> Board:
        target: Board | None = next((b for b in boards if b.slug == form.board.data), None)
        if target is None:
            raise NotFound("There is no such board.")
        services.move_thread(thread, actor=user, to_board=target)
        return target

    outcome = submit(
        form, move, success=lambda target: f"Moved to {target.name}.", catch=(Invalid,)
    )
    if outcome.saved:
        return redirect(thread_url(thread))
    return render_template("boards/thread_move.html", thread=thread, form=form), outcome.status


def _reason_page(endpoint: str, post_id: int, *, title: str, action: str) -> ResponseReturnValue:
    """GET shows the reason form; POST runs `action` ("hide" or "flag")."""
    user = me()
    post = services.get_visible_post(user, post_id)
    if action == "hide" and not services.can_moderate(user, post.thread.board):
        abort(403)
    form = forms.ReasonForm()

    def act() -> None:
        reason = form.reason.data or ""
        if action == "hide":
            services.hide_post(post, actor=user, reason=reason)
        else:
            services.flag_post(post, reporter=user, reason=reason)

    success = "Post hidden." if action == "hide" else "Thanks: the moderators will look at it."
    outcome = submit(form, act, success=success, catch=(Invalid,))
    if outcome.saved:
        return redirect(post_url(post))
    return render_template(
        "boards/post_reason.html", post=post, form=form, title=title, endpoint=endpoint
    ), outcome.status


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
