"""One-click email links: signed for one person, one purpose and one object; single-use,
short-lived (EMAIL_LINK_HOURS), and void once the person's password changes or they are
deactivated.

A link is an itsdangerous signature (SECRET_KEY, salted per purpose) over the person's id, the
object's id, a random link id, its expiry and a fingerprint of the person's `session_token`
(which rotates on a password change, a reset and deactivation). Nothing is stored when a link
is made: the worker makes it while sending the email, so the outbox never holds it. A use
writes the link id to `email_link_uses`, so a second use is refused; those rows are pruned
once the link would have expired anyway (`prune`, run by `flask --app wsgi work`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import secrets
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete

from forum.accounts.models import EmailLinkUse, User
from forum.core.db import insert_new_rows, utcnow
from forum.core.errors import ForumError
from forum.extensions import db

logger = logging.getLogger(__name__)

# Tokens longer than this are not even parsed (a link is about 170 characters).
MAX_TOKEN_LENGTH = 400


class LinkRefused(ForumError):
    """The link cannot be used: `reason` is invalid, expired, used or void."""

    status = 410
    code = "link_refused"
    default_message = "This link no longer works."

    def __init__(self, reason: str, message: str, *, status: int = 410) -> None:
        super().__init__(message)
        self.reason = reason
        self.status = status


def _refused(reason: str) -> LinkRefused:
    hours = int(current_app.config["EMAIL_LINK_HOURS"])
    if reason == "expired":
        return LinkRefused(
            reason, f"This link has expired: links in emails work for {hours} hours."
        )
    if reason == "used":
        return LinkRefused(reason, "This link was already used: each link works once.")
    if reason == "void":
        return LinkRefused(
            reason,
            "This link no longer works: the account's password was changed, or the account "
            "was closed, after it was sent.",
        )
    return LinkRefused(
        "invalid", "This link is not valid. Check that the whole link was copied.", status=404
    )


@dataclasses.dataclass(frozen=True)
class LinkClaim:
    """What a valid, unused link says: who it is for, what for, and until when."""

    user: User
    purpose: str
    subject_id: int
    link_id: str
    expires_at: dt.datetime


def _serializer(purpose: str) -> URLSafeSerializer:
    return URLSafeSerializer(
        str(current_app.config["SECRET_KEY"]), salt=f"forum.email-link:{purpose}"
    )


def _generation(user: User) -> str:
    """A fingerprint of the person's session token: it changes when the password does or
    they are deactivated. One-way, so the link does not carry the token itself."""
    return hashlib.sha256(f"email-link:{user.id}:{user.session_token}".encode()).hexdigest()[:16]


def mint(
    user: User,
    purpose: str,
    subject_id: int,
    *,
    now: dt.datetime | None = None,
    hours: float | None = None,
) -> str:
    """A new link token for `user` to do `purpose` to object `subject_id`, valid for `hours`
    (EMAIL_LINK_HOURS) from `now`. Writes nothing."""
    now = now or utcnow()
    lifetime = dt.timedelta(hours=hours or float(current_app.config["EMAIL_LINK_HOURS"]))
    payload = {
        "u": user.id,
        "s": subject_id,
        "j": secrets.token_urlsafe(16),
        "x": int((now + lifetime).timestamp()),
        "g": _generation(user),
    }
    return str(_serializer(purpose).dumps(payload))


def read(token: str, purpose: str, *, now: dt.datetime | None = None) -> LinkClaim:
    """The claim of a usable link for `purpose`; writes nothing (a confirm page can show it).

    Raises LinkRefused: "invalid" (bad signature, another purpose, unknown person), "used",
    "expired", or "void" (the person was deactivated or changed their password since).
    """
    now = now or utcnow()
    if not token or len(token) > MAX_TOKEN_LENGTH:
        raise _refused("invalid")
    try:
        payload: Any = _serializer(purpose).loads(token)
    except BadSignature:
        raise _refused("invalid") from None
    try:
        user_id, subject_id = int(payload["u"]), int(payload["s"])
        link_id, expires = str(payload["j"])[:32], int(payload["x"])
        generation = str(payload["g"])
    except (KeyError, TypeError, ValueError):
        raise _refused("invalid") from None
    user = db.session.get(User, user_id)
    if user is None:
        raise _refused("invalid")
    if db.session.get(EmailLinkUse, link_id) is not None:
        raise _refused("used")
    expires_at = dt.datetime.fromtimestamp(expires, dt.UTC)
    if expires_at <= now:
        raise _refused("expired")
    if not user.is_active or generation != _generation(user):
        raise _refused("void")
    return LinkClaim(user, purpose, subject_id, link_id, expires_at)


def spend(claim: LinkClaim, *, now: dt.datetime | None = None) -> None:
    """Mark the link used, in the caller's transaction. Raises LinkRefused("used") when it
    already was, even by a request running at the same moment (the unique link id)."""
    statement = insert_new_rows(EmailLinkUse, db.session.get_bind().dialect.name).values(
        id=claim.link_id,
        purpose=claim.purpose[:40],
        user_id=claim.user.id,
        used_at=now or utcnow(),
        expires_at=claim.expires_at,
    )
    result = db.session.execute(statement)
    if not result.rowcount:  # type: ignore[attr-defined]
        raise _refused("used")


def prune(now: dt.datetime | None = None) -> int:
    """Forget the uses of links that have expired (they are refused as expired anyway)."""
    result = db.session.execute(
        delete(EmailLinkUse)
        .where(EmailLinkUse.expires_at <= (now or utcnow()))
        .execution_options(synchronize_session=False)
    )
    pruned = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if pruned:
        logger.info("pruned %s used email links", pruned)
    return pruned
