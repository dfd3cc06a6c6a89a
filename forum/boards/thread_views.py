"""HTML routes for threads: reading one, starting one, its solution and watching it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from forum.boards import bp, composer, draft_views, drafts, forms, pages, services
from forum.boards.limits import post_rate_limit
from forum.boards.models import Post, PostKind, Thread
from forum.boards.views import me, post_url, submit_or_preview, thread_url
from forum.core import slots
from forum.core.errors import Invalid, NotFound
from forum.core.forms import ActionForm, Outcome, require_action, require_valid
from forum.core.pagination import Page, page_number
from forum.extensions import db


def _thread_page(
    thread: Thread, *, page: int, read_mark: int, watching: bool
) -> tuple[str, int | None]:
    """The rendered page and the id of its last post."""
    user = me()
    can_solve = services.can_mark_solution(user, thread)
    audience = pages.Audience(
        moderator=services.can_moderate(user, thread.board),
        can_reply=services.can_reply(user, thread),
        can_solve=can_solve,
    )
    shown = pages.thread_page(user, thread, page, audience, read_mark)
    posts = Page[Post](
        items=[], page=page, per_page=services.POSTS_PER_PAGE, total=thread.post_count
    )
    can_delete = services.can_delete_thread(user, thread)
    shell = pages.thread_shell(
        pages.shell_key(thread, page, audience, can_delete),
        lambda slot: render_template(
            "boards/_thread_content.html",
            slot=slot,
            thread=thread,
            posts=posts,
            posts_on_page=len(shown.posts),
            tags=shown.tags,
            answer=shown.answer,
            can_moderate=audience.moderator,
            can_reply=audience.can_reply,
            can_solve=can_solve,
            can_delete_thread=can_delete,
            reply_form=forms.ReplyForm(),
            body_hint=forms.BODY_HINT,
            kind_form=forms.KindForm(kind=thread.kind) if audience.moderator else None,
            restore_until=services.restorable_until(thread) if audience.moderator else None,
        ),
    )
    updated = services.unread_state(thread, {thread.id: read_mark} if read_mark else {})
    content = pages.fill_shell(
        shell,
        {
            "csrf": Markup('<input type="hidden" name="csrf_token" value="{}">').format(
                generate_csrf()
            ),
            "unread": Markup(
                '<a class="button button-small" href="{}">Jump to first unread</a>'
            ).format(url_for("boards.thread_unread", thread_id=thread.id))
            if updated == "updated"
            else "",
            "watch-value": "0" if watching else "1",
            "watch-label": "Stop watching" if watching else "Watch replies",
            "panels": Markup("").join(slots.fill(slots.THREAD_PANELS, thread=thread, viewer=user)),
            "composer": Markup("").join(slots.fill(slots.COMPOSER, user=user, errors={})),
            "fix": _fix_box(thread) if page == 1 and shown.answer is None else "",
            **{f"post-{index}": html for index, html in enumerate(shown.posts)},
        },
    )
    html = render_template("boards/thread_detail.html", thread=thread, posts=posts, content=content)
    return html, shown.last_post_id


def _fix_box(thread: Thread) -> str:
    """The solution box of a thread solved by a fix thread, as this reader may see it."""
    if thread.solution_thread_id is None:
        return ""
    fix = services.solution_thread_for(me(), thread)
    return render_template("boards/_solution_fix.html", thread=thread, fix=fix)


@bp.get("/t/<id:thread_id>")
@bp.get("/t/<id:thread_id>-<slug>")
def thread_detail(thread_id: int, slug: str | None = None) -> ResponseReturnValue:
    user = me()
    page = page_number(request.args.get("page"))
    try:
        thread = services.get_visible_thread(user, thread_id)
    except NotFound:
        merged_into = services.merged_into(user, thread_id)
        if merged_into is None:
            raise
        return redirect(url_for("boards.thread_detail", thread_id=merged_into), 301)
    if slug is not None and slug != thread.slug:
        return redirect(thread_url(thread, **({"page": page} if page > 1 else {})), 301)
    if page > 1 and (page - 1) * services.POSTS_PER_PAGE >= thread.post_count:
        abort(404)
    read_mark, watching = services.reader_state(user, thread)
    html, last_on_page = _thread_page(thread, page=page, read_mark=read_mark, watching=watching)
    # A plain read writes nothing unless the mark moves forward; then in its own short
    # transaction after the page is built, so a reading request never upgrades a read
    # transaction to a write (SQLite "database is locked").
    if last_on_page and last_on_page > read_mark:
        user_id, thread_id = user.id, thread.id
        db.session.commit()
        services.mark_read_ids(user_id, thread_id, last_on_page)
        db.session.commit()
    return html


@bp.get("/t/<id:thread_id>/unread")
def thread_unread(thread_id: int) -> ResponseReturnValue:
    """Jump to the first post the reader has not seen (or the last post when all are read)."""
    user = me()
    thread = services.get_visible_thread(user, thread_id)
    post_id = services.first_unread_post_id(user, thread) or thread.last_post_id
    post = db.session.get(Post, post_id) if post_id else None
    if post is None:
        return redirect(thread_url(thread))
    return redirect(post_url(post))


@bp.route("/b/<slug>/new", methods=["GET", "POST"])
@post_rate_limit
def thread_new(slug: str) -> ResponseReturnValue:
    user = me()
    board = services.get_visible_board(user, slug)
    form = forms.ThreadForm()
    key = drafts.thread_key(board.id)
    draft = None
    if request.method == "GET":
        # A link may start the form filled in (a meet-up's "Post the story"); nothing is saved
        # until the person posts it.
        if request.args.get("kind") in {k.value for k in PostKind}:
            form.kind.data = request.args["kind"]
        form.title.data = request.args.get("title", "")[: forms.TITLE_MAX] or None
        form.body.data = request.args.get("body", "")[: forms.BODY_MAX] or None
        draft = draft_views.restore_into(form, key)
    elif draft_views.wants_draft():
        draft_views.save_from(form, key)
        flash("Draft saved: it will be here when you come back, on any device.", "success")
        return redirect(url_for("boards.thread_new", slug=board.slug))
    attached = composer.attach(user, form) if request.method == "POST" else composer.Attached()
    outcome, preview_html = (
        (Outcome[Thread](status=attached.status), None)
        if attached.errors
        else submit_or_preview(
            form,
            lambda: services.create_thread(
                board,
                author=user,
                kind=form.kind.data or "",
                title=form.title.data or "",
                body=form.body.data or "",
                tags=form.tags.data,
            ),
        )
    )
    if outcome.saved:
        if draft_views.had_draft():
            draft_views.forget(key)
        return redirect(thread_url(outcome.value))
    return render_template(
        "boards/thread_new.html",
        board=board,
        form=form,
        draft=draft,
        has_draft=draft is not None or draft_views.had_draft(),
        preview_html=preview_html,
        body_hint=forms.BODY_HINT,
        composer=slots.fill(slots.COMPOSER, user=user, errors=attached.errors),
    ), outcome.status


@bp.route("/t/<id:thread_id>/solution", methods=["GET", "POST"])
def thread_solution(thread_id: int) -> ResponseReturnValue:
    """The fix-thread picker (on its own page: the thread page would query the choices on
    every view), and marking or clearing a solution from it or from a post's button."""
    user = me()
    thread = services.get_visible_thread(user, thread_id)
    if request.method == "GET":
        if not services.can_mark_solution(user, thread):
            abort(403)
        return render_template(
            "boards/thread_solution.html",
            thread=thread,
            fix_threads=services.fix_thread_choices(user, thread),
            empty_form=ActionForm(),
        )
    form = forms.SolutionForm()
    form.solution_thread_id.choices = [SelectChoice("", "")] + [
        SelectChoice(str(t.id), t.title) for t in services.fix_threads_for(user, thread)
    ]
    require_valid(form)
    post = db.session.get(Post, form.post_id.data) if form.post_id.data else None
    if post is not None and post.thread_id != thread.id:
        raise Invalid(fields={"post_id": "Choose a reply in this thread."})
    fix = (
        services.get_visible_thread(user, int(form.solution_thread_id.data))
        if form.solution_thread_id.data
        else None
    )
    services.mark_solution(thread, actor=user, post=post, solution_thread=fix)
    db.session.commit()
    flash("Marked as solved." if thread.is_solved else "Solution cleared.", "success")
    return redirect(thread_url(thread))


@bp.post("/t/<id:thread_id>/watch")
def thread_watch(thread_id: int) -> ResponseReturnValue:
    require_action()
    user = me()
    thread = services.get_visible_thread(user, thread_id)
    if request.form.get("watch") == "0":
        services.unwatch_thread(user, thread)
        flash("You will no longer be notified of replies.", "info")
    else:
        services.watch_thread(user, thread)
        flash("You will be notified of replies.", "info")
    db.session.commit()
    return redirect(thread_url(thread))
