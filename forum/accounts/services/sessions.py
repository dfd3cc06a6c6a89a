"""Sign-in sessions: one record per device, so signing out ends that session on the server.

The session and remember-me cookies carry `<user id>:<secret>`; only the secret's SHA-256 is
stored. A cookie is worth something only while its row is live: signing out revokes the row, so
a copy of the cookie saved before is useless afterwards.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import bindparam, select, update

from forum.accounts.models import AuditAction, User, UserSession
from forum.accounts.services import audit
from forum.core.db import utcnow
from forum.core.errors import NotFound
from forum.core.security import hash_token, new_token
from forum.extensions import db


def start(
    user: User,
    *,
    remember: bool,
    lifetime: dt.timedelta,
    ip: str | None = None,
    user_agent: str | None = None,
    now: dt.datetime | None = None,
) -> UserSession:
    """Open a sign-in for `user` on one device and attach its secret to `user` (for get_id).

    It lasts until signed out, revoked, or `lifetime` (the remember-me cookie's) has passed,
    whichever comes first; a browser session without remember-me also ends with the browser.
    """
    now = now or utcnow()
    secret = new_token()
    record = UserSession(
        user=user,
        secret_hash=hash_token(secret),
        is_remembered=remember,
        created_at=now,
        expires_at=now + lifetime,
        ip=ip[:64] if ip else None,
        user_agent=(user_agent or "")[:200] or None,
    )
    db.session.add(record)
    db.session.flush()
    user.session_secret = secret
    return record


# Built once: every page runs it, and building the statement cost more than running it.
_LIVE_SIGN_IN = (
    select(User)
    .join(UserSession, UserSession.user_id == User.id)
    .where(
        UserSession.secret_hash == bindparam("secret_hash"),
        UserSession.revoked_at.is_(None),
        UserSession.expires_at > bindparam("now", type_=UserSession.expires_at.type),
        User.id == bindparam("user_id"),
        User.is_active.is_(True),
    )
)


def load_user(identity: str, now: dt.datetime | None = None) -> User | None:
    """Flask-Login's loader: the active user of a live sign-in named by `<id>:<secret>`.

    A revoked or expired sign-in, a deactivated person or a malformed identity is nobody.
    One query: every page pays for it.
    """
    user_id, _, secret = (identity or "").partition(":")
    if not user_id.isdigit() or not secret or len(user_id) > 18:
        return None
    user = db.session.scalar(
        _LIVE_SIGN_IN,
        {"secret_hash": hash_token(secret), "now": now or utcnow(), "user_id": int(user_id)},
    )
    if user is not None:
        user.session_secret = secret
    return user


def current(user: User) -> UserSession | None:
    """The sign-in `user` was loaded through (None when it has none)."""
    secret = getattr(user, "session_secret", None)
    if not secret:
        return None
    return db.session.scalar(
        select(UserSession).where(
            UserSession.secret_hash == hash_token(secret), UserSession.user_id == user.id
        )
    )


def end_current(user: User, now: dt.datetime | None = None) -> bool:
    """Sign out this device: revoke the sign-in `user` was loaded through. False if none."""
    record = current(user)
    user.session_secret = None
    if record is None or record.revoked_at is not None:
        return False
    record.revoked_at = now or utcnow()
    db.session.flush()
    return True


def end_one(user: User, session_id: int, now: dt.datetime | None = None) -> UserSession:
    """Sign out one of the person's own live sign-ins; anyone else's, or a dead one, is NotFound."""
    record = db.session.get(UserSession, session_id)
    if record is None or record.user_id != user.id or record.revoked_at is not None:
        raise NotFound("No such sign-in.")
    record.revoked_at = now or utcnow()
    db.session.flush()
    return record


def end_all(user: User, now: dt.datetime | None = None) -> int:
    """Revoke every live sign-in of the person, this device's included; returns how many."""
    result = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    user.session_secret = None
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def sign_out_everywhere(
    user: User, *, ip: str | None = None, now: dt.datetime | None = None
) -> int:
    """The person ends every sign-in of theirs, this one included (a lost phone, a shared
    computer), audited. API tokens are not sign-ins and stay. Returns how many ended."""
    ended = end_all(user, now=now)
    audit.record(
        AuditAction.SESSIONS_ENDED,
        user,
        user,
        ip=ip,
        now=now,
        sessions_ended=ended,
    )
    return ended


def list_live(user: User, now: dt.datetime | None = None) -> list[UserSession]:
    """The person's live sign-ins, newest first."""
    return list(
        db.session.scalars(
            select(UserSession)
            .where(
                UserSession.user_id == user.id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > (now or utcnow()),
            )
            .order_by(UserSession.created_at.desc(), UserSession.id.desc())
        )
    )


_BROWSERS = (
    ("Edg/", "Edge"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe_device(user_agent: str | None) -> str:
    """A short, human name for a User-Agent ("Firefox on Windows"), good enough to tell
    one's own devices apart; never trusted for anything."""
    agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in agent), None)
    system = next((name for marker, name in _SYSTEMS if marker in agent), None)
    if browser and system:
        return f"{browser} on {system}"
    if browser or system:
        return str(browser or system)
    # Unknown clients (scripts, tests): the first word, without version noise.
    word = re.split(r"[\s/;(]", agent.strip(), maxsplit=1)[0]
    return word[:40] or "Unknown device"
