"""HTML routes for posts: permalinks, revisions, replying, editing, the live preview, deleting,
restoring and reactions."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from forum.boards import bp, composer, draft_views, drafts, forms, inplace, services
from forum.boards.deletion_views import thread_deleted
from forum.boards.limits import edit_rate_limit, post_rate_limit, preview_rate_limit
from forum.boards.models import Post
from forum.boards.views import me, post_url, preview_markdown, submit_or_preview, too_long
from forum.core import slots
from forum.core.errors import Invalid
from forum.core.forms import ActionForm, Outcome, require_action
from forum.core.ids import id_arg
from forum.extensions import db


@bp.get("/p/<id:post_id>")
def post_permalink(post_id: int) -> ResponseReturnValue:
    post = services.get_visible_post(me(), post_id)
    return redirect(post_url(post))


@bp.get("/p/<id:post_id>/revisions")
def post_revisions(post_id: int) -> ResponseReturnValue:
    user = me()
    post = services.get_visible_post(user, post_id)
    moderator = services.can_moderate(user, post.thread.board)
    if not post.is_visible and not (moderator or post.author_id == user.id):
        abort(404)
    return render_template(
        "boards/post_revisions.html", post=post, revisions=services.revisions(post)
    )


@bp.route("/t/<id:thread_id>/reply", methods=["GET", "POST"])
@post_rate_limit
def post_reply(thread_id: int) -> ResponseReturnValue:
    user = me()
    thread = services.get_visible_thread(user, thread_id)
    form = forms.ReplyForm()
    key = drafts.reply_key(thread.id)
    draft = None
    if request.method == "GET":
        quoted_id = id_arg("quote")
        if quoted_id is not None:
            quoted = services.get_visible_post(user, quoted_id)
            if quoted.thread_id == thread.id:
                form.body.data = services.quote_source(quoted)
                form.reply_to.data = quoted.id
        draft = draft_views.restore_into(form, key)
    elif draft_views.wants_draft():
        draft_views.save_from(form, key)
        flash("Draft saved: it will be here when you come back, on any device.", "success")
        return redirect(url_for("boards.post_reply", thread_id=thread.id))

    def reply() -> Post:
        reply_to = db.session.get(Post, form.reply_to.data) if form.reply_to.data else None
        return services.add_post(thread, author=user, body=form.body.data or "", reply_to=reply_to)

    attached = composer.attach(user, form) if request.method == "POST" else composer.Attached()
    outcome, preview_html = (
        (Outcome[Post](status=attached.status), None)
        if attached.errors
        else submit_or_preview(form, reply)
    )
    if outcome.saved:
        if draft_views.had_draft():
            draft_views.forget(key)
        if inplace.wanted():
            return inplace.created(post_url(outcome.value))
        return redirect(post_url(outcome.value))
    if not services.can_reply(user, thread):
        flash("This thread is locked: no new replies.", "warning")
    return render_template(
        "boards/post_reply.html",
        thread=thread,
        form=form,
        draft=draft,
        has_draft=draft is not None or draft_views.had_draft(),
        preview_html=preview_html,
        body_hint=forms.BODY_HINT,
        composer=slots.fill(slots.COMPOSER, user=user, errors=attached.errors),
    ), outcome.status


@bp.route("/p/<id:post_id>/edit", methods=["GET", "POST"])
@edit_rate_limit
def post_edit(post_id: int) -> ResponseReturnValue:
    user = me()
    post = services.get_visible_post(user, post_id)
    if not services.can_edit_post(user, post):
        abort(403)
    thread = post.thread
    first = services.is_first_post(post)
    form = forms.EditForm()
    if request.method == "GET":
        form.body.data = post.body
        if first:
            form.title.data, form.kind.data = thread.title, thread.kind
            form.tags.data = ", ".join(thread.tag_names)
    outcome, preview_html = submit_or_preview(
        form,
        lambda: services.edit_post(
            post,
            editor=user,
            body=form.body.data or "",
            title=form.title.data if first else None,
            kind=form.kind.data if first else None,
            tags=form.tags.data if first else None,
        ),
        success="Saved.",
    )
    if outcome.saved:
        return redirect(post_url(post))
    return render_template(
        "boards/post_edit.html",
        post=post,
        thread=thread,
        form=form,
        first=first,
        preview_html=preview_html,
        body_hint=forms.BODY_HINT,
    ), outcome.status


@bp.post("/preview")
@preview_rate_limit
def preview() -> ResponseReturnValue:
    """The live preview: the same pipeline posts are saved with, as an HTML fragment (or the
    length error as plain text, with a 400)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    body = request.form.get("body", "")
    problem = too_long(body)
    if problem:
        return Response(problem, status=400, mimetype="text/plain")
    return Response(preview_markdown(body), mimetype="text/html")


@bp.post("/p/<id:post_id>/delete")
def post_delete(post_id: int) -> ResponseReturnValue:
    require_action()
    post = services.get_visible_post(me(), post_id)
    thread = post.thread
    if services.is_first_post(post) and thread.post_count == 1:
        # The opening post of a thread nobody answered: the thread goes with it (restorable
        # by moderators), rather than lingering in listings as an empty placeholder.
        board_slug = thread.board.slug
        services.delete_thread(thread, actor=me())
        db.session.commit()
        return thread_deleted(board_slug)
    services.delete_post(post, actor=me())
    db.session.commit()
    flash("Post deleted.", "success")
    return redirect(post_url(post))


@bp.post("/p/<id:post_id>/restore")
def post_restore(post_id: int) -> ResponseReturnValue:
    require_action()
    post = services.get_visible_post(me(), post_id)
    services.restore_post(post, actor=me())
    db.session.commit()
    flash("Post restored.", "success")
    return redirect(post_url(post))


@bp.post("/p/<id:post_id>/react")
def post_react(post_id: int) -> ResponseReturnValue:
    form = forms.ReactionForm()
    if not form.validate_on_submit():
        raise Invalid(fields={"kind": "Choose helpful, same_here or thanks."})
    post = services.get_visible_post(me(), post_id)
    services.toggle_reaction(post, user=me(), kind=form.kind.data or "")
    db.session.commit()
    if inplace.wanted():
        return inplace.reactions(me(), post)
    return redirect(post_url(post))
