"""HTML routes for reading and writing on the boards: home, boards, threads, posts, tags."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from forum.accounts.forms import EmptyForm
from forum.accounts.models import User
from forum.boards import forms, inplace, pages, services
from forum.boards.models import BODY_MAX, Board, Post, PostKind, Thread
from forum.core import slots
from forum.core.errors import ForumError, Invalid
from forum.core.ids import id_arg
from forum.core.pagination import Page, page_number
from forum.extensions import db, limiter

bp = Blueprint("boards", __name__)


def posting_key() -> str:
    """Rate-limit posting per person (pages and API), not per IP: offices share addresses."""
    user = g.get("api_user") or current_user
    if user is not None and getattr(user, "is_authenticated", False):
        return f"poster:{user.id}"
    return f"ip:{request.remote_addr}"


def posting_limit() -> str:
    return str(current_app.config.get("POST_RATE_LIMIT", "12 per minute; 200 per day"))


post_rate_limit = limiter.limit(posting_limit, key_func=posting_key, methods=["POST"])


def editing_limit() -> str:
    return str(current_app.config.get("EDIT_RATE_LIMIT", "12 per minute; 200 per day"))


def preview_limit() -> str:
    return str(current_app.config.get("PREVIEW_RATE_LIMIT", "30 per minute; 1000 per day"))


# Edits and previews render Markdown like posting does, so they are throttled like it too.
edit_rate_limit = limiter.limit(editing_limit, key_func=posting_key, methods=["POST", "PATCH"])
preview_rate_limit = limiter.limit(preview_limit, key_func=posting_key, methods=["POST"])


def me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


def apply_errors(form: FlaskForm, error: ForumError) -> None:
    """Show a service's field messages next to the matching inputs, the rest at the top."""
    for name, message in error.fields.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
        else:
            flash(message, "error")
    if not error.fields:
        flash(error.message, "error")


def kind_filter() -> str | None:
    raw = request.args.get("kind") or None
    if raw is not None and raw not in {k.value for k in PostKind}:
        raise Invalid(fields={"kind": "Unknown kind."})
    return raw


def thread_url(thread: Thread, **values: Any) -> str:
    return url_for("boards.thread_detail", thread_id=thread.id, slug=thread.slug, **values)


def post_url(post: Post) -> str:
    page = services.page_of_post(post, services.POSTS_PER_PAGE)
    values = {"page": page} if page > 1 else {}
    return thread_url(post.thread, _anchor=f"post-{post.id}", **values)


# --- reading ---------------------------------------------------------------------------------


@bp.get("/")
def index() -> ResponseReturnValue:
    user = me()
    kind = kind_filter()
    page = page_number(request.args.get("page"))
    boards, newest = services.visible_boards_with_newest(user)
    signature = pages.boards_signature((b.id, b.version, newest.get(b.id)) for b in boards)
    listing, threads = pages.listing_html(
        user,
        pages.activity_key(signature, kind, page),
        lambda: services.recent_threads(user, kind=kind, page=page, pinned_first=True),
        page=page,
        show_board=True,
    )
    return render_template(
        "boards/index.html",
        threads=threads,
        listing=listing,
        boards=boards,
        kind=kind,
        kinds=list(PostKind),
        sidebar=pages.sidebar_html(user, signature, boards) if boards else None,
    )


@bp.get("/b/<slug>")
def board_detail(slug: str) -> ResponseReturnValue:
    user = me()
    board = services.get_visible_board(user, slug)
    kind = kind_filter()
    tag = services.normalize_tag(request.args.get("tag", "")) or None
    page = page_number(request.args.get("page"))
    newest = services.newest_post_ids([board.id]).get(board.id)
    listing, threads = pages.listing_html(
        user,
        pages.board_listing_key(board, newest, kind, tag, page),
        lambda: services.board_threads(board, kind=kind, tag=tag, page=page),
        page=page,
        show_board=False,
    )
    return render_template(
        "boards/board_detail.html",
        board=board,
        threads=threads,
        listing=listing,
        kind=kind,
        tag=tag,
        kinds=list(PostKind),
        watching=services.is_watching_board(user, board),
        watch_form=EmptyForm(),
    )


@bp.get("/tags/<tag>")
def tag_detail(tag: str) -> ResponseReturnValue:
    normalized = services.normalize_tag(tag)
    if not normalized:
        abort(404)
    if normalized != tag:
        args: dict[str, Any] = request.args.to_dict()
        return redirect(url_for("boards.tag_detail", tag=normalized, **args), 301)
    user = me()
    kind = kind_filter()
    page = page_number(request.args.get("page"))
    listing, threads = pages.listing_html(
        user,
        None,
        lambda: services.recent_threads(user, kind=kind, tag=tag, page=page),
        page=page,
        show_board=True,
    )
    return render_template(
        "boards/tag_detail.html",
        tag=tag,
        threads=threads,
        listing=listing,
        kind=kind,
        kinds=list(PostKind),
    )


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
    post_list, last_on_page = pages.thread_posts_html(user, thread, page, audience, read_mark)
    if page == 1:
        services.load_solution(thread)
    html = render_template(
        "boards/thread_detail.html",
        thread=thread,
        posts=Page[Post](
            items=[], page=page, per_page=services.POSTS_PER_PAGE, total=thread.post_count
        ),
        post_list=post_list,
        is_unread=services.unread_state(thread, {thread.id: read_mark} if read_mark else {}),
        watching=watching,
        can_moderate=audience.moderator,
        can_reply=audience.can_reply,
        can_solve=can_solve,
        reply_form=forms.ReplyForm(),
        empty_form=EmptyForm(),
        body_hint=forms.BODY_HINT,
        solution_fix=services.solution_thread_for(user, thread) if page == 1 else None,
        thread_panels=slots.fill(slots.THREAD_PANELS, thread=thread, viewer=user),
    )
    return html, last_on_page


@bp.get("/t/<id:thread_id>")
@bp.get("/t/<id:thread_id>-<slug>")
def thread_detail(thread_id: int, slug: str | None = None) -> ResponseReturnValue:
    user = me()
    thread = services.get_visible_thread(user, thread_id)
    page = page_number(request.args.get("page"))
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


# --- writing ---------------------------------------------------------------------------------


PLAIN_TEXT_NOTE = (
    '<p class="preview-note">This text has more formatting than the forum renders at once, '
    "so it will be shown as plain text. Split it into shorter posts to keep the formatting.</p>"
)


def too_long(body: str) -> str | None:
    """The field message for a body over the length limit, before anything renders it."""
    if len(body) > BODY_MAX:
        return f"Use at most {BODY_MAX:,} characters (this has {len(body):,})."
    return None


def preview_markdown(body: str) -> str:
    """Exactly what saving would store (mentions included), without saving, and a note when
    the text is over the rendering budget and will show as plain text."""
    rendered, _people = services.render_post_body(body)
    return rendered.html if rendered.within_budget else PLAIN_TEXT_NOTE + rendered.html


def _wants_preview() -> bool:
    return request.form.get("action") == "preview"


def _form_preview(form: FlaskForm) -> tuple[str | None, int]:
    """The Preview button of a form: the preview, or the body's length error."""
    body = form.body.data or ""  # type: ignore[attr-defined]
    problem = too_long(body)
    if problem:
        form.body.errors = [problem]  # type: ignore[attr-defined]
        return None, 400
    return preview_markdown(body), 200


@bp.route("/b/<slug>/new", methods=["GET", "POST"])
@post_rate_limit
def thread_new(slug: str) -> ResponseReturnValue:
    user = me()
    board = services.get_visible_board(user, slug)
    form = forms.ThreadForm()
    if request.method == "GET" and request.args.get("kind") in {k.value for k in PostKind}:
        form.kind.data = request.args["kind"]
    status, preview_html = 200, None
    if request.method == "POST" and _wants_preview():
        preview_html, status = _form_preview(form)
    elif form.validate_on_submit():
        try:
            thread = services.create_thread(
                board,
                author=user,
                kind=form.kind.data or "",
                title=form.title.data or "",
                body=form.body.data or "",
                tags=form.tags.data,
            )
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc)
            status = 400
        else:
            db.session.commit()
            return redirect(thread_url(thread))
    elif request.method == "POST":
        status = 400
    return render_template(
        "boards/thread_new.html",
        board=board,
        form=form,
        preview_html=preview_html,
        body_hint=forms.BODY_HINT,
    ), status


@bp.route("/t/<id:thread_id>/reply", methods=["GET", "POST"])
@post_rate_limit
def post_reply(thread_id: int) -> ResponseReturnValue:
    user = me()
    thread = services.get_visible_thread(user, thread_id)
    form = forms.ReplyForm()
    status, preview_html = 200, None
    if request.method == "GET":
        quoted_id = id_arg("quote")
        if quoted_id is not None:
            quoted = services.get_visible_post(user, quoted_id)
            if quoted.thread_id == thread.id:
                form.body.data = services.quote_source(quoted)
                form.reply_to.data = quoted.id
    elif _wants_preview():
        preview_html, status = _form_preview(form)
    elif form.validate_on_submit():
        reply_to = db.session.get(Post, form.reply_to.data) if form.reply_to.data else None
        try:
            post = services.add_post(
                thread, author=user, body=form.body.data or "", reply_to=reply_to
            )
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc)
            status = 400
        else:
            db.session.commit()
            if inplace.wanted():
                return inplace.created(post_url(post))
            return redirect(post_url(post))
    else:
        status = 400
    if not services.can_reply(user, thread):
        flash("This thread is locked: no new replies.", "warning")
    return render_template(
        "boards/post_reply.html",
        thread=thread,
        form=form,
        preview_html=preview_html,
        body_hint=forms.BODY_HINT,
    ), status


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
    status, preview_html = 200, None
    if request.method == "POST" and _wants_preview():
        preview_html, status = _form_preview(form)
    elif form.validate_on_submit():
        try:
            services.edit_post(
                post,
                editor=user,
                body=form.body.data or "",
                title=form.title.data if first else None,
                kind=form.kind.data if first else None,
                tags=form.tags.data if first else None,
            )
        except Invalid as exc:
            db.session.rollback()
            apply_errors(form, exc)
            status = 400
        else:
            db.session.commit()
            flash("Saved.", "success")
            return redirect(post_url(post))
    elif request.method == "POST":
        status = 400
    return render_template(
        "boards/post_edit.html",
        post=post,
        thread=thread,
        form=form,
        first=first,
        preview_html=preview_html,
        body_hint=forms.BODY_HINT,
    ), status


@bp.post("/preview")
@preview_rate_limit
def preview() -> ResponseReturnValue:
    """The live preview: the same pipeline posts are saved with, as an HTML fragment (or the
    length error as plain text, with a 400)."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    body = request.form.get("body", "")
    problem = too_long(body)
    if problem:
        return Response(problem, status=400, mimetype="text/plain")
    return Response(preview_markdown(body), mimetype="text/html")


def _require_empty_form() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.post("/p/<id:post_id>/delete")
def post_delete(post_id: int) -> ResponseReturnValue:
    _require_empty_form()
    post = services.get_visible_post(me(), post_id)
    services.delete_post(post, actor=me())
    db.session.commit()
    flash("Post deleted.", "success")
    return redirect(post_url(post))


@bp.post("/p/<id:post_id>/restore")
def post_restore(post_id: int) -> ResponseReturnValue:
    _require_empty_form()
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
            empty_form=EmptyForm(),
        )
    form = forms.SolutionForm()
    form.solution_thread_id.choices = [SelectChoice("", "")] + [
        SelectChoice(str(t.id), t.title) for t in services.fix_threads_for(user, thread)
    ]
    if not form.validate_on_submit():
        raise Invalid(fields={name: "; ".join(errs) for name, errs in form.errors.items()})
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
    _require_empty_form()
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


@bp.post("/b/<slug>/watch")
def board_watch(slug: str) -> ResponseReturnValue:
    _require_empty_form()
    user = me()
    board: Board = services.get_visible_board(user, slug)
    if request.form.get("watch") == "0":
        services.unwatch_board(user, board)
        flash(f"You will no longer be notified about {board.name}.", "info")
    else:
        services.watch_board(user, board)
        flash(f"You will be notified of new threads and replies on {board.name}.", "info")
    db.session.commit()
    return redirect(url_for("boards.board_detail", slug=board.slug))
