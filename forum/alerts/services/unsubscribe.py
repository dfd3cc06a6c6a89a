"""Unsubscribing by email link: the `List-Unsubscribe` of digests and watch emails (RFC 8058).

A payload names what its email is about in `unsubscribe` ({"topic", "ref", "user_id"}); the
email channel turns that into a link signed for that person and that topic (SECRET_KEY,
salted), so a link stops exactly one kind of email for exactly one person. Topics are
registered by the capability that owns them (`register_topic`): alerts has "digest" (the
daily digest: the email preference goes to off), boards has "thread" and "board" (the watch
ends). The link itself is the authority: one-click POSTs come from mail providers without
cookies, so it needs neither a sign-in nor a CSRF token. It does not expire and is not
single-use: unsubscribing twice changes nothing, and a link in an old email must keep working.
It does nothing for a deactivated person.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from itsdangerous import BadSignature, URLSafeSerializer

from forum.accounts import services as account_services
from forum.accounts.models import AuditAction, EmailPreference, User
from forum.core.errors import NotFound
from forum.extensions import db

logger = logging.getLogger(__name__)

EXTENSION_KEY = "forum.unsubscribe_topics"
PATH = "/unsubscribe/"
MAX_TOKEN_LENGTH = 300
DIGEST = "digest"


@dataclasses.dataclass(frozen=True)
class Topic:
    """A kind of email people can unsubscribe from.

    `describe(user, ref)` says what it is as that person may be told now ("the thread “…”"),
    `stop(user, ref)` stops those emails and says whether anything changed.
    """

    name: str
    describe: Callable[[User, int | None], str]
    stop: Callable[[User, int | None], bool]


def register_topic(
    app: Flask,
    name: str,
    *,
    describe: Callable[[User, int | None], str],
    stop: Callable[[User, int | None], bool],
) -> None:
    """Let emails offer unsubscribing from `name` (a capability's kind of email)."""
    app.extensions.setdefault(EXTENSION_KEY, {})[name] = Topic(name, describe, stop)


def _topic(name: str) -> Topic | None:
    topics: dict[str, Topic] = current_app.extensions.get(EXTENSION_KEY, {})
    return topics.get(name)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(str(current_app.config["SECRET_KEY"]), salt="forum.unsubscribe")


def path_for(user: User, spec: dict[str, Any]) -> str | None:
    """The site-relative one-click link of a payload's `unsubscribe`, for `user`; None when
    the spec is not for this person or names no known topic."""
    topic = str(spec.get("topic") or "")
    if spec.get("user_id") != user.id or _topic(topic) is None:
        return None
    ref = spec.get("ref")
    token = _serializer().dumps(
        {"u": user.id, "t": topic, "r": ref if isinstance(ref, int) else None}
    )
    return PATH + str(token)


@dataclasses.dataclass(frozen=True)
class Request:
    """A valid unsubscribe link: whose, from what, and what that is called for them."""

    user: User
    topic: Topic
    ref: int | None
    description: str


def read(token: str) -> Request:
    """What a link unsubscribes whom from; writes nothing (the confirm page shows it).

    Raises NotFound for a link that is not valid, names an unknown topic, or belongs to a
    person who no longer exists or was deactivated.
    """
    refused = NotFound("This unsubscribe link is not valid. Check that the whole link was copied.")
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise refused
    try:
        payload: Any = _serializer().loads(token)
        user_id, name, ref = int(payload["u"]), str(payload["t"]), payload.get("r")
    except (BadSignature, KeyError, TypeError, ValueError, AttributeError):
        raise refused from None
    topic = _topic(name)
    user = db.session.get(User, user_id)
    if topic is None or user is None or not user.is_active:
        raise refused
    ref = ref if isinstance(ref, int) else None
    return Request(user, topic, ref, topic.describe(user, ref))


def unsubscribe(token: str, *, now: dt.datetime | None = None) -> Request:
    """Stop the emails a link names, audited when something changed. Raises as `read`."""
    request = read(token)
    if request.topic.stop(request.user, request.ref):
        account_services.audit.record(
            AuditAction.EMAIL_UNSUBSCRIBED,
            request.user,
            request.user,
            now=now,
            topic=request.topic.name,
            ref=request.ref,
        )
        logger.info(
            "user %s unsubscribed from %s %s", request.user.id, request.topic.name, request.ref
        )
    return request


# --- the daily digest ---------------------------------------------------------------------


def _describe_digest(user: User, ref: int | None) -> str:
    return "the daily digest email"


def _stop_digest(user: User, ref: int | None) -> bool:
    """Someone on the daily digest gets no notification email any more (escalation alerts
    still come: they are not optional)."""
    if EmailPreference(user.email_preference) != EmailPreference.DAILY:
        return False
    account_services.set_email_preference(user, EmailPreference.OFF)
    return True


def init_app(app: Flask) -> None:
    register_topic(app, DIGEST, describe=_describe_digest, stop=_stop_digest)
