"""HTML routes for moderators tidying threads: change a thread's kind, merge it into another,
split replies off into a new thread."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request
from flask.typing import ResponseReturnValue
from wtforms.fields.choices import SelectChoice

from forum.boards import bp, forms, services
from forum.boards.models import Thread
from forum.boards.views import me, thread_url
from forum.core.errors import Invalid, NotFound
from forum.core.forms import require_valid, submit
from forum.core.pagination import page_number
from forum.extensions import db

# "123", "/t/123", "/t/123-some-title", or a full address ending so (with ?page= or #post-).
_THREAD_REFERENCE = re.compile(r"^(?:.*/t/)?(\d{1,18})(?:-[^/?#]*)?/?(?:[?#].*)?$")


def thread_id_from(reference: str) -> int:
    """The thread number in a pasted address or number; Invalid (field `into`) otherwise."""
    found = _THREAD_REFERENCE.match(reference.strip())
    if found is None:
        raise Invalid(fields={"into": "Paste the other thread's address, or type its number."})
    return int(found.group(1))


@bp.post("/t/<id:thread_id>/kind")
def thread_kind(thread_id: int) -> ResponseReturnValue:
    user = me()
    thread = services.get_visible_thread(user, thread_id)
    form = forms.KindForm()
    require_valid(form)
    services.change_kind(thread, actor=user, kind=form.kind.data or "")
    db.session.commit()
    flash(f"It is now a {thread.kind_enum.label.lower()}.", "success")
    return redirect(thread_url(thread))


@bp.route("/t/<id:thread_id>/merge", methods=["GET", "POST"])
def thread_merge(thread_id: int) -> ResponseReturnValue:
    user = me()
    thread = services.get_visible_thread(user, thread_id)
    if not services.can_moderate(user, thread.board):
        abort(403)
    form = forms.MergeForm()

    def merge() -> Thread:
        try:
            target = services.get_visible_thread(user, thread_id_from(form.into.data or ""))
        except NotFound as exc:
            raise Invalid(fields={"into": "There is no such thread that you can see."}) from exc
        return services.merge_thread(thread, into=target, actor=user)

    outcome = submit(
        form,
        merge,
        success=lambda target: f"Merged into “{target.title}”; the old address leads here.",
        catch=(Invalid,),
    )
    if outcome.saved:
        return redirect(thread_url(outcome.value))
    return render_template("boards/thread_merge.html", thread=thread, form=form), outcome.status


@bp.route("/t/<id:thread_id>/split", methods=["GET", "POST"])
def thread_split(thread_id: int) -> ResponseReturnValue:
    """Choose replies (of the page asked for) to move into a new thread."""
    user = me()
    thread = services.get_visible_thread(user, thread_id)
    if not services.can_moderate(user, thread.board):
        abort(403)
    page = services.thread_posts(thread, page=page_number(request.args.get("page")))
    form = forms.SplitForm()
    replies = [post for post in page.items if not services.is_first_post(post)]
    form.posts.choices = [SelectChoice(post.id, f"#{post.id}") for post in replies]
    outcome = submit(
        form,
        lambda: services.split_thread(
            thread,
            actor=user,
            post_ids=list(form.posts.data or []),
            title=form.title.data or "",
            kind=form.kind.data or "",
        ),
        success=lambda new: f"Moved into “{new.title}”.",
        catch=(Invalid,),
    )
    if outcome.saved:
        return redirect(thread_url(outcome.value))
    return render_template(
        "boards/thread_split.html", thread=thread, form=form, replies=replies, posts=page
    ), outcome.status
