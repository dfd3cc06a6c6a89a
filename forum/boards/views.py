"""HTML routes for the board listings (home, a board, a tag, watching a board), and the helpers
the other boards pages share: the reader, thread and post addresses, the Preview button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm

from forum.accounts.models import User
from forum.boards import bp, pages, services
from forum.boards.models import BODY_MAX, Board, Post, PostKind, Thread
from forum.core.errors import Invalid
from forum.core.forms import ActionForm, Outcome, require_action, submit
from forum.core.pagination import page_number
from forum.extensions import db

T = TypeVar("T")


def me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


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


# --- the Preview button of the writing forms -------------------------------------------------


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


def submit_or_preview(
    form: FlaskForm, action: Callable[[], T], *, success: str | None = None
) -> tuple[Outcome[T], str | None]:
    """A writing form's two buttons: Preview shows what saving would store (or the body's
    length error) and saves nothing; the other one `submit`s, showing an `Invalid` on the form
    (any other refusal, such as a locked thread's 403, goes to the error pages). Returns the
    outcome and the preview's HTML, if any."""
    if request.method != "POST" or request.form.get("action") != "preview":
        return submit(form, action, success=success, catch=(Invalid,)), None
    body = form.body.data or ""  # type: ignore[attr-defined]
    problem = too_long(body)
    if problem:
        form.body.errors = [problem]  # type: ignore[attr-defined]
        return Outcome(status=400), None
    return Outcome(status=200), preview_markdown(body)


# --- listings --------------------------------------------------------------------------------


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
        watch_form=ActionForm(),
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


@bp.post("/b/<slug>/watch")
def board_watch(slug: str) -> ResponseReturnValue:
    require_action()
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
