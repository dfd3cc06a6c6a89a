"""HTML routes for people's own notifications: the list, open one, mark read."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from forum.accounts.models import User
from forum.alerts import bp, services
from forum.alerts.forms import MarkReadForm
from forum.core.db import immediate_transactions
from forum.core.forms import require_valid
from forum.core.pagination import page_number
from forum.core.security import safe_next_url
from forum.extensions import db


def bell(user: User) -> str:
    """The header bell (base.html's header slot): a link to the notifications and the count."""
    return render_template("alerts/_bell.html", unread=services.unread_count(user))


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
