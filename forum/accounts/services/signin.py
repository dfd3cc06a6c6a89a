"""Password sign-in and its throttles: slow the attacker down without locking the owner out.

Failed attempts are rows in `login_attempts`, so every gunicorn worker and host counts the same
ones. Within LOGIN_FAILURE_WINDOW_SECONDS:

- a client address with LOGIN_MAX_FAILURES_PER_IP failures (any accounts) is refused (429);
- one account from one address gets LOGIN_FREE_FAILURES_PER_ACCOUNT_AND_IP free tries, then a
  growing delay between tries (LOGIN_DELAY_BASE_SECONDS doubling, at most
  LOGIN_DELAY_MAX_SECONDS): a 429 "try again in N seconds" for that account and address only;
- an account with LOGIN_MAX_FAILURES_PER_ACCOUNT failures from every address together (a spread
  attack) gets the same growing delay for clients it does not recognise;
- a known device (a signed cookie given at every successful sign-in) skips all three, so a
  colleague guessing a senior's password cannot keep the senior out. It has a budget of its own
  (LOGIN_MAX_FAILURES_PER_DEVICE), after which it is treated like any other client.

An admin can clear an account's failures ("unlock"), which leaves an audit entry.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import math
import zlib
from collections.abc import Mapping
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import delete, func, or_, select, text
from werkzeug.security import check_password_hash, generate_password_hash

from forum.accounts.models import AuditAction, LoginAttempt, Role, User
from forum.accounts.permissions import require_role
from forum.accounts.services import audit
from forum.core.db import utcnow
from forum.core.errors import Invalid, Throttled
from forum.core.security import new_token
from forum.extensions import db

logger = logging.getLogger(__name__)

KNOWN_DEVICE_COOKIE = "known_device"
_KNOWN_DEVICE_SALT = "forum.accounts.known-device"

Settings = Mapping[str, Any]


def client_key(ip: str | None) -> str:
    return (ip or "unknown")[:64]


@functools.cache
def _dummy_hash(method: str) -> str:
    """A hash of the configured method, checked when the email is unknown, so an unknown
    address costs the same time as a known one."""
    return generate_password_hash("not-a-real-password", method=method)


# --- known devices ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class KnownDevice:
    """A browser that signed in to `user_id` before, named by a random `device_id`."""

    user_id: int
    device_id: str


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_KNOWN_DEVICE_SALT)


def known_device_cookie(user: User, settings: Settings, previous: str | None = None) -> str:
    """The signed cookie value that marks this browser as one `user` signed in from.

    A browser that already was a known device of `user` keeps its id (and its failure count);
    a new one, or one known for another person, gets a new id.
    """
    device = read_known_device(previous, settings)
    device_id = device.device_id if device and device.user_id == user.id else new_token(12)
    return str(_serializer(settings["SECRET_KEY"]).dumps({"u": user.id, "d": device_id}))


def read_known_device(cookie: str | None, settings: Settings) -> KnownDevice | None:
    """The device a cookie names, if its signature holds and it is younger than
    KNOWN_DEVICE_DAYS; None for anything else."""
    if not cookie or len(cookie) > 500:
        return None
    max_age = int(settings.get("KNOWN_DEVICE_DAYS", 180)) * 86400
    try:
        data = _serializer(settings["SECRET_KEY"]).loads(cookie, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user_id, device_id = data.get("u"), data.get("d")
    if not isinstance(user_id, int) or not isinstance(device_id, str) or not device_id:
        return None
    return KnownDevice(user_id=user_id, device_id=device_id[:64])


# --- throttles --------------------------------------------------------------------------------


def _delay_seconds(failures: int, free: int, settings: Settings) -> int:
    """The wait before the next try after `failures`: none within the free tries, then
    LOGIN_DELAY_BASE_SECONDS doubling with each failure, capped at LOGIN_DELAY_MAX_SECONDS."""
    if failures < free:
        return 0
    base = int(settings["LOGIN_DELAY_BASE_SECONDS"])
    cap = int(settings["LOGIN_DELAY_MAX_SECONDS"])
    return int(min(cap, base * 2 ** min(failures - free, 30)))


def _in_words(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _window_start(settings: Settings, now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=int(settings["LOGIN_FAILURE_WINDOW_SECONDS"]))


def _lock_account(email: str) -> None:
    """PostgreSQL: serialize attempts on one account until this transaction ends, so a burst of
    parallel guesses cannot all read the same count. (SQLite writers are serialized by BEGIN
    IMMEDIATE already.)"""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"),
            {"key": zlib.crc32(f"login:{email}".encode())},
        )


def check_throttles(email: str, ip: str | None, settings: Settings, now: dt.datetime) -> None:
    """Raise Throttled when a client that is not a known device of the account must wait:
    its address is over the per-IP limit, or the account's delay (from this address, or from
    every address together) has not passed yet."""
    since = _window_start(settings, now)
    key = client_key(ip)
    per_ip = (
        db.session.scalar(
            select(func.count()).where(LoginAttempt.ip == key, LoginAttempt.created_at >= since)
        )
        or 0
    )
    if per_ip >= int(settings["LOGIN_MAX_FAILURES_PER_IP"]):
        window = int(settings["LOGIN_FAILURE_WINDOW_SECONDS"])
        raise Throttled(
            "Too many failed sign-in attempts from your network. "
            f"Wait {_in_words(window)} and try again.",
            retry_after=window,
        )
    row = db.session.execute(
        select(
            func.count().filter(LoginAttempt.ip == key),
            func.max(LoginAttempt.created_at).filter(LoginAttempt.ip == key),
            func.count(),
            func.max(LoginAttempt.created_at),
        ).where(LoginAttempt.email == email, LoginAttempt.created_at >= since)
    ).one()
    pair_failures, pair_last, account_failures, account_last = row
    pair_wait = _delay_seconds(
        int(pair_failures or 0), int(settings["LOGIN_FREE_FAILURES_PER_ACCOUNT_AND_IP"]), settings
    )
    if pair_last is not None and pair_wait:
        remaining = _remaining(pair_last, pair_wait, now)
        if remaining > 0:
            raise Throttled(
                f"Too many failed sign-in attempts. Try again in {_in_words(remaining)}.",
                retry_after=remaining,
            )
    account_wait = _delay_seconds(
        int(account_failures or 0), int(settings["LOGIN_MAX_FAILURES_PER_ACCOUNT"]), settings
    )
    if account_last is not None and account_wait:
        remaining = _remaining(account_last, account_wait, now)
        if remaining > 0:
            raise Throttled(
                "This account has had many failed sign-in attempts. Try again in "
                f"{_in_words(remaining)}, or sign in from a device you have used before.",
                retry_after=remaining,
            )


def _remaining(last: dt.datetime, wait: int, now: dt.datetime) -> int:
    if last.tzinfo is None:  # an aggregate can come back without the column's type on SQLite
        last = last.replace(tzinfo=dt.UTC)
    return math.ceil((last + dt.timedelta(seconds=wait) - now).total_seconds())


def _trusted_device(
    user: User | None, cookie: str | None, settings: Settings, now: dt.datetime
) -> KnownDevice | None:
    """The known device of `user` this client proves it is, while its own failure budget
    lasts; None otherwise."""
    device = read_known_device(cookie, settings)
    if user is None or device is None or device.user_id != user.id:
        return None
    failures = (
        db.session.scalar(
            select(func.count()).where(
                LoginAttempt.device == device.device_id,
                LoginAttempt.created_at >= _window_start(settings, now),
            )
        )
        or 0
    )
    if failures >= int(settings["LOGIN_MAX_FAILURES_PER_DEVICE"]):
        return None
    return device


def authenticate(
    email: str,
    password: str,
    *,
    ip: str | None,
    settings: Settings,
    known_device: str | None = None,
    now: dt.datetime | None = None,
) -> User:
    """Return the active user with this email and password.

    `known_device` is the client's known-device cookie, if any. Raises Throttled when the
    client must wait (see the module docstring), and Invalid (one message for every cause, so
    accounts cannot be probed) otherwise. A failure is recorded in the session: the caller
    must commit even when this raises Invalid.
    """
    now = now or utcnow()
    normalized = (email or "").strip().lower()[:254]
    enabled = bool(settings.get("RATELIMIT_ENABLED", True))
    if enabled:
        _lock_account(normalized)
    user = db.session.scalar(select(User).where(User.email == normalized)) if normalized else None
    device = _trusted_device(user, known_device, settings, now) if enabled else None
    if enabled and device is None:
        check_throttles(normalized, ip, settings, now)
    method = str(settings.get("PASSWORD_HASH_METHOD") or "scrypt")
    stored_hash = user.password_hash if user is not None and user.password_hash else None
    password_ok = check_password_hash(stored_hash or _dummy_hash(method), password or "")
    if user is None or stored_hash is None or not password_ok or not user.is_active:
        _record_failure(normalized, ip, device, settings, now)
        reason = (
            "unknown_account"
            if user is None
            else "no_password"
            if stored_hash is None
            else "wrong_password"
            if not password_ok
            else "inactive"
        )
        # Never the password; an address without an account is not kept either (people
        # type passwords into the email field).
        audit.record(AuditAction.SIGN_IN_FAILED, None, user, ip=ip, now=now, reason=reason)
        raise Invalid(
            "Email or password is incorrect.",
            fields={"password": "Email or password is incorrect."},
        )
    # Forgive only this client's own failures: a known device's, or else those of this account
    # from this address. Other clients' failures stay counted against the account, so the
    # owner signing in does not hand an attacker a fresh budget.
    if device is not None:
        forgiven = LoginAttempt.device == device.device_id
    else:
        forgiven = (
            (LoginAttempt.email == normalized)
            & (LoginAttempt.ip == client_key(ip))
            & LoginAttempt.device.is_(None)
        )
    db.session.execute(delete(LoginAttempt).where(forgiven))
    return user


def signed_in(
    user: User, *, ip: str | None, method: str = "password", now: dt.datetime | None = None
) -> None:
    """Audit a completed sign-in: after the password, or after the second step when the
    person has two-factor sign-in (`method` "password+totp" or "password+recovery_code")."""
    audit.record(AuditAction.SIGN_IN_SUCCEEDED, user, user, ip=ip, now=now, method=method)


def trusted_device(
    user: User, cookie: str | None, settings: Settings, now: dt.datetime
) -> KnownDevice | None:
    """The known device of `user` this client proves it is, while its own failure budget
    lasts (the second sign-in step uses the same throttle as the first)."""
    return _trusted_device(user, cookie, settings, now)


def record_failure(
    email: str, ip: str | None, device: KnownDevice | None, settings: Settings, now: dt.datetime
) -> None:
    """Count a failed sign-in step (a wrong second-factor code counts like a wrong password)."""
    _record_failure(email, ip, device, settings, now)


def _record_failure(
    email: str, ip: str | None, device: KnownDevice | None, settings: Settings, now: dt.datetime
) -> None:
    key = client_key(ip)
    db.session.add(
        LoginAttempt(
            email=email,
            ip=key,
            device=device.device_id if device is not None else None,
            created_at=now,
        )
    )
    # Rows past the window count for nothing: drop this account's and this address's.
    since = _window_start(settings, now)
    db.session.execute(
        delete(LoginAttempt).where(
            or_(LoginAttempt.email == email, LoginAttempt.ip == key),
            LoginAttempt.created_at < since,
        )
    )
    db.session.flush()


# --- admin ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SignInStatus:
    """Recent failed sign-ins of one account, for the admin user page."""

    failures: int
    addresses: int
    # Until when a client that is not a known device waits (from the worst address), if at all.
    delayed_until: dt.datetime | None


def sign_in_status(user: User, settings: Settings, now: dt.datetime | None = None) -> SignInStatus:
    """How many failed sign-ins the account has had within the window, from how many
    addresses, and until when the worst-placed unknown client must wait."""
    now = now or utcnow()
    rows = db.session.execute(
        select(LoginAttempt.ip, func.count(), func.max(LoginAttempt.created_at))
        .where(
            LoginAttempt.email == user.email,
            LoginAttempt.created_at >= _window_start(settings, now),
        )
        .group_by(LoginAttempt.ip)
    ).all()
    total = sum(int(count) for _ip, count, _last in rows)
    ends: list[dt.datetime] = []
    free_pair = int(settings["LOGIN_FREE_FAILURES_PER_ACCOUNT_AND_IP"])
    for _ip, count, last in rows:
        wait = _delay_seconds(int(count), free_pair, settings)
        if wait:
            ends.append(now + dt.timedelta(seconds=max(0, _remaining(last, wait, now))))
    if rows:
        last_any = max(last for _ip, _count, last in rows)
        wait = _delay_seconds(total, int(settings["LOGIN_MAX_FAILURES_PER_ACCOUNT"]), settings)
        if wait:
            ends.append(now + dt.timedelta(seconds=max(0, _remaining(last_any, wait, now))))
    until = max(ends) if ends else None
    return SignInStatus(
        failures=total, addresses=len(rows), delayed_until=until if until and until > now else None
    )


def unlock(
    actor: User, user: User, *, ip: str | None = None, now: dt.datetime | None = None
) -> int:
    """Admins clear an account's failed sign-ins, lifting every delay on it, and the action is
    audited. Returns how many failures were cleared. Raises NotPermitted for non-admins."""
    require_role(actor, Role.ADMIN)
    result = db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == user.email))
    cleared = int(result.rowcount or 0)  # type: ignore[attr-defined]
    audit.record(
        AuditAction.SIGN_IN_UNLOCKED,
        actor,
        user,
        ip=ip,
        now=now,
        failures_cleared=cleared,
    )
    logger.info("sign-in of user %s unlocked by admin %s (%s failures)", user.id, actor.id, cleared)
    return cleared
