"""Two-factor sign-in for local accounts: TOTP (RFC 6238, via pyotp) with recovery codes.

- Enrolment: `begin_enrolment` stores a fresh secret (unconfirmed); `confirm_enrolment` checks
  the first code from the app, turns it on and returns ten recovery codes, shown once and
  stored hashed.
- Sign-in: after the password, `verify_sign_in` takes a TOTP code or a recovery code. It is
  throttled like the password (the same `login_attempts` rows and limits). A TOTP code is
  accepted once: `last_counter` remembers its time step, so replaying it within its window
  fails. A recovery code is spent when used.
- Turning it off takes the password and a current code (`disable`).
- Admins may require it for seniors and admins (`set_required`); `must_enrol` tells the web
  layer whom to send to enrolment after sign-in.

API tokens are not affected: a bearer token is a separate credential, created by a person
already signed in, and revoked with a password change.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Mapping
from typing import Any

import pyotp
from sqlalchemy import delete, select, update
from werkzeug.security import check_password_hash

from forum.accounts.models import AuditAction, RecoveryCode, Role, SiteSetting, TwoFactor, User
from forum.accounts.permissions import require_role
from forum.accounts.services import audit, signin
from forum.core.db import utcnow
from forum.core.errors import Conflict, Invalid
from forum.core.security import hash_token
from forum.extensions import db

RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i
REQUIRED_SETTING = "two_factor_required"
# Codes of the step before and after the current one are accepted (clock drift).
VALID_WINDOW = 1

Settings = Mapping[str, Any]


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or utcnow()


def enrolment(user: User) -> TwoFactor | None:
    return db.session.scalar(select(TwoFactor).where(TwoFactor.user_id == user.id))


def is_enabled(user: User) -> bool:
    """Whether the person has confirmed two-factor sign-in."""
    return (
        db.session.scalar(
            select(TwoFactor.id).where(
                TwoFactor.user_id == user.id, TwoFactor.confirmed_at.is_not(None)
            )
        )
        is not None
    )


def provisioning_uri(record: TwoFactor, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads (from a QR code or typed in)."""
    return pyotp.TOTP(record.secret).provisioning_uri(name=record.user.email, issuer_name=issuer)


def begin_enrolment(user: User, now: dt.datetime | None = None) -> TwoFactor:
    """A fresh, unconfirmed secret for `user` (replacing an earlier unconfirmed one).
    Raises Conflict when two-factor sign-in is already on."""
    record = enrolment(user)
    if record is not None and record.confirmed_at is not None:
        raise Conflict("Two-factor sign-in is already on.")
    if record is None:
        record = TwoFactor(user=user, secret=pyotp.random_base32(), created_at=_now(now))
        db.session.add(record)
    else:
        record.secret, record.created_at, record.last_counter = (
            pyotp.random_base32(),
            _now(now),
            None,
        )
    db.session.flush()
    return record


def _matching_counter(record: TwoFactor, code: str, now: dt.datetime) -> int | None:
    """The time step whose code `code` is, within the window and after the last accepted
    one; None when it matches none (wrong, expired or replayed)."""
    code = "".join((code or "").split())
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(record.secret)
    current = totp.timecode(now)
    for counter in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if record.last_counter is not None and counter <= record.last_counter:
            continue
        if hmac.compare_digest(totp.generate_otp(counter), code):
            return counter
    return None


def _new_recovery_codes(user: User, now: dt.datetime) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        db.session.add(
            RecoveryCode(user_id=user.id, code_hash=_recovery_hash(user, code), created_at=now)
        )
        codes.append(code)
    return codes


def _recovery_hash(user: User, code: str) -> str:
    normalized = "".join(ch for ch in (code or "").lower() if ch.isalnum())
    return hash_token(f"{user.id}:{normalized}")


def confirm_enrolment(user: User, code: str, now: dt.datetime | None = None) -> list[str]:
    """Turn two-factor sign-in on once the app's first code matches; returns the ten recovery
    codes (their hashes are stored; the codes are never shown again). Audited. Raises Invalid
    (field code) for a wrong code and Conflict without a pending enrolment."""
    now = _now(now)
    record = enrolment(user)
    if record is None or record.confirmed_at is not None:
        raise Conflict("Start setting up two-factor sign-in first.")
    counter = _matching_counter(record, code, now)
    if counter is None:
        raise Invalid(fields={"code": "That code is not right. Check the time on your phone."})
    record.confirmed_at, record.last_counter = now, counter
    codes = _new_recovery_codes(user, now)
    audit.record(AuditAction.TWO_FACTOR_ENABLED, user, user, now=now)
    db.session.flush()
    return codes


def remaining_recovery_codes(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )


def _check_code(user: User, record: TwoFactor, code: str, now: dt.datetime) -> str | None:
    """Spend `code`, a TOTP code or an unused recovery code: the method it was, or None."""
    counter = _matching_counter(record, code, now)
    if counter is not None:
        record.last_counter = counter
        return "totp"
    # Spent with one UPDATE, so two requests racing with the same code cannot both pass.
    spent = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(user, code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    if spent.rowcount:  # type: ignore[attr-defined]
        audit.record(
            AuditAction.RECOVERY_CODE_USED,
            user,
            user,
            now=now,
            remaining=remaining_recovery_codes(user),
        )
        return "recovery_code"
    return None


def verify_sign_in(
    user: User,
    code: str,
    *,
    ip: str | None,
    settings: Settings,
    known_device: str | None = None,
    now: dt.datetime | None = None,
) -> str:
    """The second sign-in step: accept a current TOTP code (once) or an unused recovery code,
    and audit the completed sign-in. Returns the method used.

    Throttled like the password (Throttled); a wrong code counts as a failed sign-in and is
    audited, then raises Invalid: the caller must commit even then.
    """
    now = _now(now)
    record = enrolment(user)
    if record is None or record.confirmed_at is None or not user.is_active:
        raise Invalid(fields={"code": "Sign in again."})
    enabled = bool(settings.get("RATELIMIT_ENABLED", True))
    device = signin.trusted_device(user, known_device, settings, now) if enabled else None
    if enabled and device is None:
        signin.check_throttles(user.email, ip, settings, now)
    method = _check_code(user, record, code, now)
    if method is None:
        signin.record_failure(user.email, ip, device, settings, now)
        audit.record(
            AuditAction.SIGN_IN_FAILED, None, user, ip=ip, now=now, reason="wrong_second_factor"
        )
        raise Invalid(fields={"code": "That code is not right."})
    signin.signed_in(user, ip=ip, method=f"password+{method}", now=now)
    db.session.flush()
    return method


def disable(user: User, password: str, code: str, now: dt.datetime | None = None) -> None:
    """Turn two-factor sign-in off: needs the password and a current code (or a recovery
    code). Audited. Raises Invalid for either being wrong, Conflict when it is off, and
    Invalid when the organization requires it of this person."""
    now = _now(now)
    record = enrolment(user)
    if record is None or record.confirmed_at is None:
        raise Conflict("Two-factor sign-in is not on.")
    if applies_to(user):
        raise Invalid(fields={"code": "Your organization requires two-factor sign-in."})
    if not user.password_hash or not check_password_hash(user.password_hash, password or ""):
        raise Invalid(fields={"password": "The password is not right."})
    if _check_code(user, record, code, now) is None:
        raise Invalid(fields={"code": "That code is not right."})
    db.session.delete(record)
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record(AuditAction.TWO_FACTOR_DISABLED, user, user, now=now)
    db.session.flush()


# --- the organization's requirement -----------------------------------------------------------


def is_required() -> bool:
    """Whether admins require two-factor sign-in of seniors and admins."""
    setting = db.session.get(SiteSetting, REQUIRED_SETTING)
    return bool(setting and setting.value)


def set_required(actor: User, required: bool, now: dt.datetime | None = None) -> None:
    """Admins require (or stop requiring) two-factor sign-in of seniors and admins; audited.
    Raises NotPermitted for anyone else."""
    require_role(actor, Role.ADMIN)
    if is_required() == required:
        return
    setting = db.session.get(SiteSetting, REQUIRED_SETTING)
    if setting is None:
        setting = SiteSetting(key=REQUIRED_SETTING)
        db.session.add(setting)
    setting.value, setting.updated_at = bool(required), _now(now)
    audit.record(
        AuditAction.TWO_FACTOR_POLICY_CHANGED,
        actor,
        ("site_setting", None),
        now=now,
        required_for="senior and admin" if required else "nobody",
    )
    db.session.flush()


def applies_to(user: User) -> bool:
    """Whether the organization requires two-factor sign-in of this person."""
    return Role(user.role).rank >= Role.SENIOR.rank and is_required()


def people_it_applies_to() -> list[tuple[User, bool]]:
    """Active seniors and admins by name, each with whether two-factor sign-in is on."""
    enabled = set(
        db.session.scalars(select(TwoFactor.user_id).where(TwoFactor.confirmed_at.is_not(None)))
    )
    people = db.session.scalars(
        select(User)
        .where(User.is_active.is_(True), User.role.in_([Role.SENIOR, Role.ADMIN]))
        .order_by(User.display_name, User.id)
    )
    return [(person, person.id in enabled) for person in people]


def must_enrol(user: User) -> bool:
    """Whether this signed-in person has to set up two-factor sign-in before anything else."""
    return applies_to(user) and not is_enabled(user)
