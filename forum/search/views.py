"""The /search page."""

from __future__ import annotations

from typing import Any

from flask import jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from forum.boards import services as boards
from forum.boards.models import PostKind
from forum.core.errors import Invalid
from forum.core.pagination import page_number
from forum.search import bp, services, similar
from forum.search.backend import SearchSort
from forum.search.forms import SearchForm


@bp.get("/search")
def search() -> ResponseReturnValue:
    form = SearchForm(request.args)
    form.kind.choices = [SelectChoice("", "Any kind")] + [
        SelectChoice(kind.value, kind.label) for kind in PostKind
    ]
    visible = boards.visible_boards(current_user)
    form.board.choices = [SelectChoice("", "All boards")] + [
        SelectChoice(board.slug, board.name) for board in visible
    ]
    form.sort.choices = [
        SelectChoice("" if order is SearchSort.RELEVANCE else order.value, order.label)
        for order in SearchSort
    ]
    tag = (request.args.get("tag") or "").strip()
    author = (request.args.get("author") or "").strip()
    args = {
        key: value
        for key, value in {
            "q": form.q.data or "",
            "kind": form.kind.data or "",
            "board": form.board.data or "",
            "sort": form.sort.data or "",
            "tag": tag,
            "author": author,
        }.items()
        if value
    }
    unfiltered_args = {key: value for key, value in args.items() if key not in ("tag", "author")}
    context: dict[str, Any] = {
        "form": form,
        "outcome": None,
        "args": args,
        "tag": tag,
        "author": author,
        "unfiltered_args": unfiltered_args,
    }
    if not form.validate():
        return render_template("search/search.html", **context), 400
    try:
        context["outcome"] = services.search(
            current_user,
            q=form.q.data or "",
            kind=form.kind.data or None,
            board=form.board.data or None,
            tag=tag or None,
            author=author or None,
            sort=form.sort.data or None,
            page=page_number(request.args.get("page")),
            visible=visible,
        )
    except Invalid as error:
        for name, message in error.fields.items():
            target = getattr(form, name, form.q)
            target.errors = [*target.errors, message]
        return render_template("search/search.html", **context), 400
    return render_template("search/search.html", **context)


@bp.get("/search/similar")
def similar_threads() -> ResponseReturnValue:
    """Threads like the title being typed on the new-thread form (static/js/similar-threads.js):
    JSON, up to five threads the person may see. A read: no CSRF token, no change."""
    found = similar.similar_threads(current_user, request.args.get("title", ""))
    response = jsonify(
        threads=[
            {
                "thread_id": thread.thread_id,
                "title": thread.title,
                "url": thread.url,
                "kind": thread.kind.value,
                "kind_label": thread.kind.label,
                "board": thread.board.name,
                "is_solved": thread.is_solved,
            }
            for thread in found
        ]
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
