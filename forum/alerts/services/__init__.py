"""Every state change and non-trivial query of alerts, split by noun; import from here.

Nothing here sends: rows join the caller's transaction and the worker (forum.alerts.worker)
delivers them after the caller commits. Other capabilities call `services.<function>`; webhook
endpoints (`endpoints`), the daily digest (`digest`), unsubscribing by email link
(`unsubscribe`) and the development mailbox (`mailbox`) are used as submodules.
"""

from __future__ import annotations

from forum.alerts.services import digest, endpoints, mailbox, unsubscribe
from forum.alerts.services.notifications import (
    BELL_CAP,
    NOTIFICATIONS_PER_PAGE,
    add_notification,
    list_notifications,
    mark_read,
    mark_read_for_url,
    notify_user,
    notify_users,
    open_notification,
    unread_count,
    unread_for_bell,
)
from forum.alerts.services.outbox import (
    enqueue,
    enqueue_many,
    enqueue_webhook,
    list_messages,
    message_or_404,
    outbox_counts,
    queue_email,
    requeue,
)

__all__ = [
    "BELL_CAP",
    "NOTIFICATIONS_PER_PAGE",
    "add_notification",
    "digest",
    "endpoints",
    "enqueue",
    "enqueue_many",
    "enqueue_webhook",
    "list_messages",
    "list_notifications",
    "mailbox",
    "mark_read",
    "mark_read_for_url",
    "message_or_404",
    "notify_user",
    "notify_users",
    "open_notification",
    "outbox_counts",
    "queue_email",
    "requeue",
    "unread_count",
    "unread_for_bell",
    "unsubscribe",
]
