"""Password reset: the same work for every address, mail through the outbox, throttled.

Every request writes one `password_reset_tokens` row and, unless held back, queues one email:
the reset link to an active account, a short "no account uses this address" notice otherwise.
So a known and an unknown address take the same queries and writes, and the answer never says
which it was. Throttles: a client address asking more than PASSWORD_RESET_MAX_PER_IP_PER_HOUR
times an hour gets a 429; an email address gets at most PASSWORD_RESET_MAX_EMAILS_PER_ADDRESS
emails per link lifetime, at least PASSWORD_RESET_MIN_MINUTES_BETWEEN_EMAILS apart, and further
requests are held silently (same answer). A held request always has a live link in the inbox
already, so flooding someone's address cannot keep them from resetting.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import zlib
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select, text

from forum.accounts.models import AuditAction, PasswordResetToken, User
from forum.accounts.services import audit
from forum.accounts.services.signin import client_key
from forum.accounts.services.users import normalize_email, set_password
from forum.core import mail
from forum.core.db import utcnow
from forum.core.errors import NotFound, Throttled
from forum.core.security import hash_token, new_token
from forum.extensions import db

logger = logging.getLogger(__name__)

Settings = Mapping[str, Any]
IP_WINDOW = dt.timedelta(hours=1)


def reset_path(token: str) -> str:
    """The site-relative reset link (the `accounts.reset_password` route)."""
    return f"/reset-password/{token}"


def request_reset(
    email: str, *, ip: str | None, settings: Settings, now: dt.datetime | None = None
) -> PasswordResetToken:
    """Record a reset request and, unless the address is over its budget, queue its email.

    Raises Invalid for a malformed address and Throttled when this client address has asked
    too often; neither depends on whether the address has an account.
    """
    now = now or utcnow()
    normalized = normalize_email(email)
    key = client_key(ip)
    enabled = bool(settings.get("RATELIMIT_ENABLED", True))
    if enabled:
        _check_client(key, settings, now)
        if db.session.get_bind().dialect.name == "postgresql":
            # One request per address at a time, so parallel requests cannot each see room
            # for one more email. (SQLite writers are serialized by BEGIN IMMEDIATE.)
            db.session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"),
                {"key": zlib.crc32(f"reset:{normalized}".encode())},
            )
    ttl = dt.timedelta(minutes=int(settings["PASSWORD_RESET_TTL_MINUTES"]))
    sent, last_sent = db.session.execute(
        select(func.count(), func.max(PasswordResetToken.emailed_at)).where(
            PasswordResetToken.email == normalized,
            PasswordResetToken.emailed_at.is_not(None),
            PasswordResetToken.emailed_at > now - ttl,
        )
    ).one()
    gap = dt.timedelta(minutes=int(settings["PASSWORD_RESET_MIN_MINUTES_BETWEEN_EMAILS"]))
    may_email = not enabled or (
        int(sent or 0) < int(settings["PASSWORD_RESET_MAX_EMAILS_PER_ADDRESS"])
        and (last_sent is None or _aware(last_sent) <= now - gap)
    )
    user = db.session.scalar(select(User).where(User.email == normalized))
    account = user if user is not None and user.is_active else None
    token = new_token()
    record = PasswordResetToken(
        user=account,
        email=normalized,
        ip=key,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + ttl,
        emailed_at=now if may_email else None,
    )
    db.session.add(record)
    db.session.flush()
    if may_email:
        _queue_email(record, account, token, ttl, now)
    return record


def _check_client(key: str, settings: Settings, now: dt.datetime) -> None:
    count, oldest = db.session.execute(
        select(func.count(), func.min(PasswordResetToken.created_at)).where(
            PasswordResetToken.ip == key, PasswordResetToken.created_at > now - IP_WINDOW
        )
    ).one()
    if int(count or 0) >= int(settings["PASSWORD_RESET_MAX_PER_IP_PER_HOUR"]):
        wait = max(1, math.ceil((_aware(oldest) + IP_WINDOW - now).total_seconds()))
        raise Throttled(
            "Too many password reset requests from your network. "
            f"Try again in {math.ceil(wait / 60)} minutes.",
            retry_after=wait,
        )


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _queue_email(
    record: PasswordResetToken,
    account: User | None,
    token: str,
    ttl: dt.timedelta,
    now: dt.datetime,
) -> None:
    """One email either way: the link for an account, a notice for an address without one."""
    minutes = int(ttl.total_seconds() // 60)
    url: str | None = None
    label: str | None = None
    if account is not None:
        text = (
            f"Hello {account.display_name},\n\nSomeone asked to reset your password. "
            f"Use the link below within {minutes} minutes; it works once.\n\n"
            "If it was not you, ignore this message: your password is unchanged."
        )
        url, label = reset_path(token), "Choose a new password"
    else:
        text = (
            "Someone asked to reset the staff forum password of this address, but no "
            "active account uses it.\n\nIf it was you, you may have signed up with another "
            "address, or you may need an invitation from an administrator. If it was not "
            "you, ignore this message."
        )
    mail.queue_email(
        mail.Email(
            to=record.email,
            subject="Reset your forum password",
            text=text,
            dedupe_key=f"password-reset:{record.id}",
            kind="account",
            url=url,
            link_label=label,
        ),
        now=now,
    )


def reset_token_record(token: str, now: dt.datetime | None = None) -> PasswordResetToken:
    """The usable reset token; raises NotFound if unknown, used, expired, for an address without
    an account, or the person is inactive."""
    now = now or utcnow()
    record = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token or ""))
    )
    if (
        record is None
        or record.user is None
        or record.used_at is not None
        or record.expires_at <= now
        or not record.user.is_active
    ):
        raise NotFound("This reset link is invalid, already used or expired.")
    return record


def complete_reset(
    token: str,
    password: str,
    *,
    min_length: int = 10,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> User:
    """Set the new password, which signs the person out everywhere and revokes their API
    tokens, and burn this and every other outstanding link of theirs. Raises NotFound for an
    unusable link and Invalid for a password that breaks the rules."""
    now = now or utcnow()
    record = reset_token_record(token, now)
    user = record.user
    if user is None:  # reset_token_record refuses these already; this keeps the type narrow
        raise NotFound("This reset link is invalid, already used or expired.")
    revoked = set_password(user, password, min_length=min_length, now=now)
    for other in db.session.scalars(
        select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)
        )
    ):
        other.used_at = now
    audit.record(
        AuditAction.PASSWORD_RESET,
        None,
        user,
        ip=ip,
        now=now,
        **revoked,
    )
    db.session.flush()
    logger.info("user %s reset their password by email link", user.id)
    return user
