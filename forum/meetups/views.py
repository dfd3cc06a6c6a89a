"""HTML routes: the list of meet-ups, one meet-up with its answers, creating, editing,
cancelling, answering, and its iCalendar file."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from forum.accounts.models import User
from forum.boards.limits import edit_rate_limit, post_rate_limit
from forum.core.db import utcnow
from forum.core.errors import NotPermitted
from forum.core.forms import ActionForm, require_action, require_valid, submit
from forum.core.pagination import page_number
from forum.core.web import base_url
from forum.extensions import db
from forum.meetups import bp, feeds, forms, ical, services, times
from forum.meetups.models import Meetup


def me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


@bp.get("/meetups")
def index() -> ResponseReturnValue:
    user = me()
    now = utcnow()
    upcoming = services.upcoming(user, now=now)
    past = services.past(user, page=page_number(request.args.get("page")), now=now)
    counts = services.counts_for([m.id for m in upcoming])
    return render_template(
        "meetups/index.html",
        upcoming=upcoming,
        past=past,
        counts=counts,
        feed_link=feeds.feed_url(user),
    )


def _fields(form: forms.MeetupForm) -> dict[str, Any]:
    """The form's values for a service, its local times read in the reader's zone."""
    return {
        "title": form.title.data or "",
        "description": form.description.data or "",
        "starts_at": times.from_reader(form.starts_at.data, field="starts_at"),
        "ends_at": times.from_reader(form.ends_at.data, field="ends_at"),
        "place": form.place.data,
        "online_url": form.online_url.data,
    }


@bp.route("/meetups/new", methods=["GET", "POST"])
@post_rate_limit
def new() -> ResponseReturnValue:
    user = me()
    boards = {board.slug: board for board in services.boards_to_organize_on(user)}
    form = forms.MeetupForm()
    form.board.choices = [SelectChoice(slug, board.name) for slug, board in boards.items()]
    if request.method == "GET" and request.args.get("board") in boards:
        form.board.data = request.args["board"]
    outcome = submit(
        form,
        lambda: services.create_meetup(
            boards[form.board.data or ""], organizer=user, **_fields(form)
        ),
        success="Meet-up created.",
    )
    if outcome.saved:
        return redirect(url_for("meetups.detail", meetup_id=outcome.value.id))
    return render_template("meetups/new.html", form=form, zone=times.reader_zone()), outcome.status


@bp.get("/meetups/<id:meetup_id>")
def detail(meetup_id: int) -> ResponseReturnValue:
    user = me()
    meetup = services.get_visible_meetup(user, meetup_id)
    now = utcnow()
    return render_template(
        "meetups/detail.html",
        meetup=meetup,
        now=now,
        counts=services.counts_of(meetup),
        going=services.going(meetup),
        answer=services.answer_of(meetup, user),
        can_manage=services.can_manage(user, meetup),
        can_answer=not meetup.is_cancelled and not meetup.has_ended(now),
        story=services.story_for(user, meetup),
        story_url=services.story_form_url(meetup)
        if services.wants_story(user, meetup, now)
        else None,
        rsvp_form=forms.RsvpForm(),
        empty_form=ActionForm(),
    )


def _managed(meetup_id: int) -> Meetup:
    meetup = services.get_visible_meetup(me(), meetup_id)
    if not services.can_manage(me(), meetup):
        raise NotPermitted("Only the organizer or a moderator may change this meet-up.")
    return meetup


@bp.route("/meetups/<id:meetup_id>/edit", methods=["GET", "POST"])
@edit_rate_limit
def edit(meetup_id: int) -> ResponseReturnValue:
    meetup = _managed(meetup_id)
    form = forms.MeetupForm(obj=meetup if request.method == "GET" else None)
    del form.board  # a meet-up stays on its board: moving it would change who sees it
    if request.method == "GET":
        form.starts_at.data = times.to_reader(meetup.starts_at)
        form.ends_at.data = times.to_reader(meetup.ends_at)
    outcome = submit(
        form,
        lambda: services.update_meetup(meetup, actor=me(), **_fields(form)),
        success="Meet-up updated.",
    )
    if outcome.saved:
        return redirect(url_for("meetups.detail", meetup_id=meetup.id))
    return render_template(
        "meetups/edit.html", form=form, meetup=meetup, zone=times.reader_zone()
    ), outcome.status


@bp.post("/meetups/<id:meetup_id>/cancel")
def cancel(meetup_id: int) -> ResponseReturnValue:
    meetup = _managed(meetup_id)
    require_action()
    services.cancel_meetup(meetup, actor=me())
    db.session.commit()
    return redirect(url_for("meetups.detail", meetup_id=meetup_id))


@bp.post("/meetups/<id:meetup_id>/rsvp")
def rsvp(meetup_id: int) -> ResponseReturnValue:
    meetup = services.get_visible_meetup(me(), meetup_id)
    form = forms.RsvpForm()
    require_valid(form)
    services.set_answer(meetup, me(), form.answer.data or "")
    db.session.commit()
    return redirect(url_for("meetups.detail", meetup_id=meetup_id, _anchor="answer"))


@bp.get("/meetups/<id:meetup_id>.ics")
def ical_file(meetup_id: int) -> ResponseReturnValue:
    meetup = services.get_visible_meetup(me(), meetup_id)
    body = ical.calendar(meetup, base=base_url(), now=utcnow())
    return (
        body,
        200,
        {
            "Content-Type": "text/calendar; charset=utf-8",
            "Content-Disposition": f'attachment; filename="meetup-{meetup.id}.ics"',
            "Cache-Control": "private, no-cache",
        },
    )
