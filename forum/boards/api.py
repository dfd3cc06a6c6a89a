"""The boards part of /api/v1: boards, threads, posts and solutions, over the same services."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from forum.accounts import services as account_services
from forum.accounts.models import Department
from forum.api import api_route, bp, current_api_user, parse_body, parse_query
from forum.boards import schemas, services
from forum.boards.limits import edit_rate_limit, post_rate_limit
from forum.boards.models import Post
from forum.core.errors import Invalid, NotFound, NotPermitted
from forum.extensions import db


def _department(slug: str | None) -> Department | None:
    if not slug:
        return None
    department = account_services.department_by_slug(slug)
    if department is None:
        raise Invalid(fields={"department": f"No department with slug {slug!r}."})
    return department


@api_route(
    bp, "/boards", "GET", summary="Boards you can see", tag="boards", response=schemas.BoardList
)
def boards_list() -> ResponseReturnValue:
    boards = services.visible_boards(current_api_user())
    stats = services.board_stats(b.id for b in boards)
    items = [schemas.BoardOut.of(b, stats[b.id][0]) for b in boards]
    return schemas.BoardList(items=items, total=len(items)).model_dump(mode="json")


@api_route(
    bp,
    "/boards",
    "POST",
    summary="Create a board (admin)",
    tag="boards",
    body=schemas.BoardIn,
    response=schemas.BoardOut,
    status=201,
    errors=(403, 409),
)
def boards_create() -> ResponseReturnValue:
    data = parse_body(schemas.BoardIn)
    board = services.create_board(
        current_api_user(),
        slug=data.slug,
        name=data.name,
        description=data.description,
        visibility=data.visibility,
        department=_department(data.department),
        position=data.position,
    )
    db.session.commit()
    return schemas.BoardOut.of(board).model_dump(mode="json"), 201


@api_route(
    bp,
    "/boards/<slug>/threads",
    "GET",
    summary="A board's threads, pinned first then by last activity, 25 a page",
    tag="boards",
    query=schemas.ThreadsQuery,
    response=schemas.ThreadPage,
    errors=(404,),
)
def board_threads(slug: str) -> ResponseReturnValue:
    board = services.get_visible_board(current_api_user(), slug)
    query = parse_query(schemas.ThreadsQuery)
    tag = services.normalize_tag(query.tag) if query.tag else None
    page = services.board_threads(board, kind=query.kind, tag=tag, page=query.page)
    return schemas.ThreadPage(
        items=schemas.ThreadSummary.many(page.items, current_api_user()),
        total=page.total,
        page=page.page,
        pages=page.pages,
    ).model_dump(mode="json")


def _thread_out(thread_id: int) -> ResponseReturnValue:
    reader = current_api_user()
    thread = services.get_visible_thread(reader, thread_id)
    posts = services.thread_posts(thread, page=1)
    return schemas.ThreadOut.with_posts(thread, posts.items, reader).model_dump(mode="json")


@api_route(
    bp,
    "/threads",
    "POST",
    summary="Start a thread",
    tag="boards",
    body=schemas.ThreadIn,
    response=schemas.ThreadOut,
    status=201,
    errors=(404, 429),
)
@post_rate_limit
def threads_create() -> ResponseReturnValue:
    user = current_api_user()
    data = parse_body(schemas.ThreadIn)
    try:
        board = services.get_visible_board(user, data.board)
    except NotFound as exc:
        raise Invalid(fields={"board": "No board with that slug that you can see."}) from exc
    thread = services.create_thread(
        board, author=user, kind=data.kind, title=data.title, body=data.body, tags=data.tags
    )
    db.session.commit()
    thread_id = thread.id
    return _thread_out(thread_id), 201  # type: ignore[return-value]


@api_route(
    bp,
    "/threads/<id:thread_id>",
    "GET",
    summary="A thread with its first page of posts",
    tag="boards",
    response=schemas.ThreadOut,
    errors=(404,),
)
def threads_get(thread_id: int) -> ResponseReturnValue:
    return _thread_out(thread_id)


@api_route(
    bp,
    "/threads/<id:thread_id>",
    "DELETE",
    summary="Delete a whole thread (its author while nobody else replied, or a moderator)",
    tag="boards",
    response=schemas.ThreadOut,
    errors=(403, 404, 409),
)
def threads_delete(thread_id: int) -> ResponseReturnValue:
    user = current_api_user()
    thread = services.get_visible_thread(user, thread_id)
    services.delete_thread(thread, actor=user)
    # Worded before the commit: afterwards only its moderators may read the thread.
    posts = services.thread_posts(thread, page=1).items
    deleted = schemas.ThreadOut.with_posts(thread, posts, user).model_dump(mode="json")
    db.session.commit()
    return deleted


@api_route(
    bp,
    "/threads/<id:thread_id>/restore",
    "POST",
    summary="Restore a deleted thread (moderators, within 30 days)",
    tag="boards",
    response=schemas.ThreadOut,
    errors=(404, 409),
)
def threads_restore(thread_id: int) -> ResponseReturnValue:
    user = current_api_user()
    thread = services.get_visible_thread(user, thread_id)
    services.restore_thread(thread, actor=user)
    db.session.commit()
    return _thread_out(thread_id)


@api_route(
    bp,
    "/threads/<id:thread_id>/kind",
    "POST",
    summary="Give a thread another kind (moderators)",
    tag="boards",
    body=schemas.KindIn,
    response=schemas.ThreadOut,
    errors=(403, 404, 409),
)
def threads_kind(thread_id: int) -> ResponseReturnValue:
    user = current_api_user()
    thread = services.get_visible_thread(user, thread_id)
    data = parse_body(schemas.KindIn)
    services.change_kind(thread, actor=user, kind=data.kind)
    db.session.commit()
    return _thread_out(thread_id)


@api_route(
    bp,
    "/threads/<id:thread_id>/merge",
    "POST",
    summary="Merge a thread's posts into another thread (moderators); answers the other thread",
    tag="boards",
    body=schemas.MergeIn,
    response=schemas.ThreadOut,
    errors=(403, 404, 409),
)
def threads_merge(thread_id: int) -> ResponseReturnValue:
    user = current_api_user()
    thread = services.get_visible_thread(user, thread_id)
    if not services.can_moderate(user, thread.board):
        raise NotPermitted("Only moderators of this board can do that.")
    data = parse_body(schemas.MergeIn)
    try:
        target = services.get_visible_thread(user, data.into)
    except NotFound as exc:
        raise Invalid(fields={"into": "There is no such thread that you can see."}) from exc
    services.merge_thread(thread, into=target, actor=user)
    db.session.commit()
    return _thread_out(data.into)


@api_route(
    bp,
    "/threads/<id:thread_id>/split",
    "POST",
    summary="Move replies into a new thread (moderators); answers the new thread",
    tag="boards",
    body=schemas.SplitIn,
    response=schemas.ThreadOut,
    status=201,
    errors=(403, 404, 409),
)
def threads_split(thread_id: int) -> ResponseReturnValue:
    user = current_api_user()
    thread = services.get_visible_thread(user, thread_id)
    data = parse_body(schemas.SplitIn)
    new = services.split_thread(
        thread, actor=user, post_ids=list(data.posts), title=data.title, kind=data.kind
    )
    db.session.commit()
    new_id = new.id
    return _thread_out(new_id), 201  # type: ignore[return-value]


@api_route(
    bp,
    "/threads/<id:thread_id>/posts",
    "POST",
    summary="Reply to a thread",
    tag="boards",
    body=schemas.PostIn,
    response=schemas.PostOut,
    status=201,
    errors=(403, 404, 429),
)
@post_rate_limit
def threads_reply(thread_id: int) -> ResponseReturnValue:
    user = current_api_user()
    thread = services.get_thread_to_reply(user, thread_id)
    data = parse_body(schemas.PostIn)
    reply_to = db.session.get(Post, data.reply_to) if data.reply_to else None
    post = services.add_post(thread, author=user, body=data.body, reply_to=reply_to)
    # Worded from the flushed post: after the commit every field would be read again.
    reply = schemas.PostOut.of(post).model_dump(mode="json")
    db.session.commit()
    return reply, 201


@api_route(
    bp,
    "/posts/<id:post_id>",
    "GET",
    summary="One post",
    tag="boards",
    response=schemas.PostOut,
    errors=(404,),
)
def posts_get(post_id: int) -> ResponseReturnValue:
    post = services.get_visible_post(current_api_user(), post_id)
    return schemas.PostOut.of(post).model_dump(mode="json")


@api_route(
    bp,
    "/posts/<id:post_id>",
    "PATCH",
    summary="Edit a post (author or moderator); title, kind, tags on an opening post",
    tag="boards",
    body=schemas.PostPatch,
    response=schemas.PostOut,
    errors=(403, 404, 429),
)
@edit_rate_limit
def posts_patch(post_id: int) -> ResponseReturnValue:
    user = current_api_user()
    post = services.get_visible_post(user, post_id)
    data = parse_body(schemas.PostPatch)
    services.edit_post(
        post, editor=user, body=data.body, title=data.title, kind=data.kind, tags=data.tags
    )
    db.session.commit()
    return schemas.PostOut.of(post).model_dump(mode="json")


@api_route(
    bp,
    "/posts/<id:post_id>",
    "DELETE",
    summary="Soft-delete a post (author or moderator)",
    tag="boards",
    response=schemas.PostOut,
    errors=(403, 404, 409),
)
def posts_delete(post_id: int) -> ResponseReturnValue:
    user = current_api_user()
    post = services.get_visible_post(user, post_id)
    services.delete_post(post, actor=user)
    db.session.commit()
    return schemas.PostOut.of(post).model_dump(mode="json")


@api_route(
    bp,
    "/threads/<id:thread_id>/solution",
    "POST",
    summary="Mark the reply (or linked fix thread) that solved a failure or question; "
    "send neither to clear",
    tag="boards",
    body=schemas.SolutionIn,
    response=schemas.ThreadOut,
    errors=(403, 404),
)
def threads_solution(thread_id: int) -> ResponseReturnValue:
    user = current_api_user()
    thread = services.get_visible_thread(user, thread_id)
    data = parse_body(schemas.SolutionIn)
    post = None
    if data.post_id is not None:
        post = db.session.get(Post, data.post_id)
        if post is None or post.thread_id != thread.id:
            raise Invalid(fields={"post_id": "Choose a reply in this thread."})
    fix = None
    if data.solution_thread_id is not None:
        try:
            fix = services.get_visible_thread(user, data.solution_thread_id)
        except NotFound as exc:
            raise Invalid(fields={"solution_thread_id": "No such fix thread."}) from exc
    services.mark_solution(thread, actor=user, post=post, solution_thread=fix)
    db.session.commit()
    return _thread_out(thread_id)
