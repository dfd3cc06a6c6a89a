"""HTML routes for people's own notifications (the list, open one, mark read) and the
one-click unsubscribe link of their emails."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from forum.accounts.models import User
from forum.alerts import bp, services
from forum.alerts.forms import MarkReadForm
from forum.core import slots
from forum.core.db import immediate_transactions
from forum.core.errors import Invalid, NotFound
from forum.core.forms import require_valid
from forum.core.pagination import page_number
from forum.core.security import safe_next_url
from forum.extensions import db


def bell(user: User) -> str:
    """The header bell (base.html's header slot): a link to the notifications and the count."""
    return slots.render(
        "alerts/_bell.html", unread=services.unread_for_bell(user), cap=services.BELL_CAP
    )


@bp.get("/notifications")
def notifications() -> ResponseReturnValue:
    unread_only = request.args.get("show") == "unread"
    page = services.list_notifications(
        current_user, page=page_number(request.args.get("page")), unread_only=unread_only
    )
    return render_template(
        "alerts/notifications.html",
        page=page,
        unread_only=unread_only,
        unread=services.unread_count(current_user),
    )


@bp.get("/notifications/<id:notification_id>/open")
def notification_open(notification_id: int) -> ResponseReturnValue:
    # A GET that writes: end the sign-in read, then let SQLite take the write lock up front
    # (it would otherwise fail to upgrade a read snapshot another writer has moved past).
    db.session.commit()
    with immediate_transactions():
        notification = services.open_notification(current_user, notification_id)
        target = safe_next_url(notification.url, default=url_for("alerts.notifications"))
        db.session.commit()
    return redirect(target)


@bp.post("/notifications/read")
def notifications_read() -> ResponseReturnValue:
    """Mark one (`id` in the form) or all of the person's notifications read."""
    form = MarkReadForm()
    require_valid(form)
    if form.id.data is not None:
        services.mark_read(current_user, [form.id.data])
    else:
        services.mark_read(current_user)
    db.session.commit()
    return redirect(
        safe_next_url(request.form.get("next"), default=url_for("alerts.notifications"))
    )


# --- Unsubscribing by email link (RFC 8058) ---------------------------------------------------

# The link is a secret: no Referer carries it off, no cache keeps the page.
LINK_PAGE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> ResponseReturnValue:
    """GET shows what the link stops, with a button: mail clients and scanners fetch links, so
    a GET changes nothing. A POST of `List-Unsubscribe=One-Click` (the mail provider's own
    button, RFC 8058, or this page's) unsubscribes, without a sign-in or a CSRF token: the
    signed link is the authority (public and CSRF-exempt in alerts.init_app)."""
    done = request.method == "POST"
    if done and request.form.get("List-Unsubscribe") != "One-Click":
        raise Invalid("Send List-Unsubscribe=One-Click to unsubscribe.")
    try:
        if done:
            found = services.unsubscribe.unsubscribe(token)
            db.session.commit()
        else:
            found = services.unsubscribe.read(token)
    except NotFound as exc:
        db.session.rollback()
        page = render_template("alerts/unsubscribe.html", refused=exc.message)
        return page, 404, LINK_PAGE_HEADERS
    page = render_template("alerts/unsubscribe.html", found=found, done=done)
    return page, 200, LINK_PAGE_HEADERS
