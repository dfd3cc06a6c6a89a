"""Every state change of staff accounts: sign-in, invitations, passwords, roles, tokens."""

from __future__ import annotations

import datetime as dt
import logging
import re
import zlib
from collections.abc import Iterable
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context
from sqlalchemy import delete, func, select, text
from werkzeug.security import check_password_hash, generate_password_hash

from forum.accounts.models import (
    ApiToken,
    Department,
    EmailPreference,
    Invitation,
    LoginAttempt,
    PasswordResetToken,
    Role,
    User,
)
from forum.accounts.permissions import require_role
from forum.core.db import utcnow
from forum.core.errors import Conflict, Invalid, NotFound, NotPermitted, Throttled
from forum.core.security import hash_token, new_token
from forum.extensions import db

logger = logging.getLogger(__name__)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# A dummy hash compared against when the email is unknown, so timing does not reveal accounts.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_password(password: str) -> str:
    """werkzeug's hash with the configured method (scrypt by default; tests use a cheap one)."""
    method = "scrypt"
    if has_app_context():
        method = current_app.config.get("PASSWORD_HASH_METHOD", method)
    return generate_password_hash(password, method=method)


def normalize_email(raw: str, field: str = "email") -> str:
    """Lower-cased, syntax-checked email; raises Invalid with a field message."""
    raw = (raw or "").strip()
    if not raw:
        raise Invalid(fields={field: "Enter an email address."})
    try:
        result = validate_email(raw, check_deliverability=False)
    except EmailNotValidError as exc:
        raise Invalid(fields={field: str(exc)}) from exc
    return result.normalized.lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def users_by_email(emails: Iterable[str]) -> dict[str, User]:
    """The accounts with these emails, keyed by lower-cased email: one query per 500 emails
    (bulk work such as a registry import resolves thousands of owners this way)."""
    wanted = sorted({email.strip().lower() for email in emails if email and email.strip()})
    found: dict[str, User] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(
            (user.email, user)
            for user in db.session.scalars(select(User).where(User.email.in_(chunk)))
        )
    return found


def department_by_slug(slug: str) -> Department | None:
    return db.session.scalar(select(Department).where(Department.slug == slug))


def list_departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.name)))


def department_member_counts() -> dict[int, int]:
    """Active people per department id, in one query."""
    rows = db.session.execute(
        select(User.department_id, func.count())
        .where(User.department_id.is_not(None), User.is_active.is_(True))
        .group_by(User.department_id)
    )
    return {department_id: count for department_id, count in rows if department_id is not None}


def list_users(*, include_inactive: bool = True) -> list[User]:
    query = select(User).order_by(User.display_name)
    if not include_inactive:
        query = query.where(User.is_active.is_(True))
    return list(db.session.scalars(query))


def _check_password_rules(password: str, min_length: int, field: str = "password") -> None:
    if len(password or "") < min_length:
        raise Invalid(fields={field: f"Use at least {min_length} characters."})
    if len(password) > 1024:
        raise Invalid(fields={field: "Use at most 1024 characters."})


def _parse_role(value: Role | str, field: str = "role") -> Role:
    try:
        return Role(value)
    except ValueError as exc:
        choices = ", ".join(r.value for r in Role)
        raise Invalid(fields={field: f"Choose one of: {choices}."}) from exc


def create_user(
    email: str,
    *,
    display_name: str,
    role: Role | str = Role.MEMBER,
    department: Department | None = None,
    password: str | None = None,
    min_password_length: int = 10,
) -> User:
    """Create an account; raises Conflict if the email (any case) is taken, Invalid on bad input."""
    email = normalize_email(email)
    display_name = (display_name or "").strip()
    if not display_name:
        raise Invalid(fields={"display_name": "Enter a name."})
    if len(display_name) > 120:
        raise Invalid(fields={"display_name": "Use at most 120 characters."})
    parsed_role = _parse_role(role)
    if user_by_email(email) is not None:
        raise Conflict(
            f"An account for {email} already exists.", fields={"email": "Already taken."}
        )
    user = User(
        email=email,
        display_name=display_name,
        role=parsed_role,
        department=department,
        session_token=new_token(16),
        is_active=True,
        email_preference=EmailPreference.IMMEDIATELY,
    )
    if password is not None:
        _check_password_rules(password, min_password_length)
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    logger.info("user %s created with role %s", user.id, parsed_role)
    return user


def client_key(ip: str | None) -> str:
    return (ip or "unknown")[:64]


def check_login_throttle(
    email: str, ip: str | None, settings: dict[str, Any], now: dt.datetime | None = None
) -> None:
    """Raise Throttled when this account or this client has failed too often recently."""
    if not settings.get("RATELIMIT_ENABLED", True):
        return
    now = now or utcnow()
    if db.session.get_bind().dialect.name == "postgresql":
        # Serialize attempts on one account until this transaction ends, so a burst of
        # parallel guesses cannot all read the same count. (SQLite writers are serialized by
        # BEGIN IMMEDIATE already.)
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:key)"),
            {"key": zlib.crc32(f"login:{email}".encode())},
        )
    window = int(settings["LOGIN_FAILURE_WINDOW_SECONDS"])
    since = now - dt.timedelta(seconds=window)
    per_account = (
        db.session.scalar(
            select(func.count()).where(
                LoginAttempt.email == email, LoginAttempt.created_at >= since
            )
        )
        or 0
    )
    per_ip = (
        db.session.scalar(
            select(func.count()).where(
                LoginAttempt.ip == client_key(ip), LoginAttempt.created_at >= since
            )
        )
        or 0
    )
    if per_account >= int(settings["LOGIN_MAX_FAILURES_PER_ACCOUNT"]) or per_ip >= int(
        settings["LOGIN_MAX_FAILURES_PER_IP"]
    ):
        minutes = max(1, window // 60)
        raise Throttled(
            f"Too many failed sign-in attempts. Wait {minutes} minutes and try again.",
            retry_after=window,
        )


def authenticate(
    email: str,
    password: str,
    *,
    ip: str | None,
    settings: dict[str, Any],
    now: dt.datetime | None = None,
) -> User:
    """Return the active user with this email and password.

    Raises Throttled when the account or the client IP is over its failure budget, and Invalid
    (one message for every cause, so accounts cannot be probed) otherwise. A failure is
    recorded in the session: the caller must commit even when this raises Invalid.
    """
    now = now or utcnow()
    normalized = (email or "").strip().lower()[:254]
    check_login_throttle(normalized, ip, settings, now)
    user = user_by_email(normalized) if normalized else None
    stored_hash = user.password_hash if user is not None and user.password_hash else _DUMMY_HASH
    password_ok = check_password_hash(stored_hash, password or "")
    if user is None or not user.password_hash or not password_ok or not user.is_active:
        db.session.add(LoginAttempt(email=normalized, ip=client_key(ip), created_at=now))
        db.session.flush()
        raise Invalid(
            "Email or password is incorrect.",
            fields={"password": "Email or password is incorrect."},
        )
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.email == normalized))
    return user


def set_password(user: User, password: str, *, min_length: int = 10) -> None:
    """Set a new password and rotate the session token, which signs out every other session."""
    _check_password_rules(password, min_length)
    user.password_hash = hash_password(password)
    user.session_token = new_token(16)
    db.session.flush()


def change_password(user: User, current: str, new: str, *, min_length: int = 10) -> None:
    """Change a password after checking the current one; raises Invalid."""
    if not user.password_hash or not check_password_hash(user.password_hash, current or ""):
        raise Invalid(fields={"current_password": "The current password is not right."})
    set_password(user, new, min_length=min_length)
    logger.info("user %s changed password", user.id)


def invite(
    email: str,
    *,
    role: Role | str,
    department: Department | None,
    invited_by: User,
    ttl_hours: int = 72,
    now: dt.datetime | None = None,
) -> tuple[Invitation, str]:
    """Admins invite a colleague; returns the invitation and the secret for the link."""
    require_role(invited_by, Role.ADMIN)
    now = now or utcnow()
    email = normalize_email(email)
    if user_by_email(email) is not None:
        raise Conflict(
            f"{email} already has an account.", fields={"email": "Already has an account."}
        )
    token = new_token()
    invitation = Invitation(
        email=email,
        role=_parse_role(role),
        department=department,
        token_hash=hash_token(token),
        invited_by=invited_by,
        created_at=now,
        expires_at=now + dt.timedelta(hours=ttl_hours),
    )
    db.session.add(invitation)
    db.session.flush()
    logger.info("invitation %s created by user %s", invitation.id, invited_by.id)
    return invitation, token


def invitation_for_token(token: str, now: dt.datetime | None = None) -> Invitation:
    """The usable invitation behind a link; raises NotFound if unknown, used, revoked or expired."""
    now = now or utcnow()
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token or ""))
    )
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= now
    ):
        raise NotFound("This invitation link is invalid, already used or expired.")
    return invitation


def accept_invitation(
    token: str,
    *,
    display_name: str,
    password: str,
    min_password_length: int = 10,
    now: dt.datetime | None = None,
) -> User:
    """Create the invited account; the link works once."""
    now = now or utcnow()
    invitation = invitation_for_token(token, now)
    user = create_user(
        invitation.email,
        display_name=display_name,
        role=invitation.role,
        department=invitation.department,
        password=password,
        min_password_length=min_password_length,
    )
    invitation.accepted_at = now
    db.session.flush()
    return user


def sign_up(
    email: str,
    *,
    display_name: str,
    password: str,
    department: Department | None,
    allowed_domains: list[str],
    min_password_length: int = 10,
) -> User:
    """Open sign-up, only for addresses in ALLOWED_EMAIL_DOMAINS; new people are members."""
    normalized = normalize_email(email)
    domain = normalized.rsplit("@", 1)[-1]
    if domain not in allowed_domains:
        raise NotPermitted(
            "Sign-up is open only to invited colleagues and to addresses at: "
            + (", ".join(allowed_domains) or "no domains")
            + ".",
            fields={"email": "This address needs an invitation."},
        )
    return create_user(
        normalized,
        display_name=display_name,
        password=password,
        role=Role.MEMBER,
        department=department,
        min_password_length=min_password_length,
    )


def start_password_reset(
    email: str, *, ttl_minutes: int = 60, now: dt.datetime | None = None
) -> tuple[User, str] | None:
    """Create a single-use reset token for an active account; None (silently) for unknown emails."""
    now = now or utcnow()
    user = user_by_email((email or "").strip().lower())
    if user is None or not user.is_active:
        return None
    token = new_token()
    db.session.add(
        PasswordResetToken(
            user=user,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + dt.timedelta(minutes=ttl_minutes),
        )
    )
    db.session.flush()
    return user, token


def reset_token_record(token: str, now: dt.datetime | None = None) -> PasswordResetToken:
    """The usable reset token; raises NotFound if unknown, used, expired or the user inactive."""
    now = now or utcnow()
    record = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token or ""))
    )
    if (
        record is None
        or record.used_at is not None
        or record.expires_at <= now
        or not record.user.is_active
    ):
        raise NotFound("This reset link is invalid, already used or expired.")
    return record


def complete_password_reset(
    token: str, password: str, *, min_length: int = 10, now: dt.datetime | None = None
) -> User:
    """Set the new password, burn this and every other outstanding reset token of the user."""
    now = now or utcnow()
    record = reset_token_record(token, now)
    set_password(record.user, password, min_length=min_length)
    for other in db.session.scalars(
        select(PasswordResetToken).where(
            PasswordResetToken.user_id == record.user_id, PasswordResetToken.used_at.is_(None)
        )
    ):
        other.used_at = now
    db.session.flush()
    return record.user


def set_away(
    user: User, *, away_from: dt.date | None, away_until: dt.date | None, cover: User | None
) -> None:
    """Record an absence and who covers; the cover must be another active colleague."""
    if away_from and away_until and away_until < away_from:
        raise Invalid(fields={"away_until": "The end date is before the start date."})
    if cover is not None and (cover.id == user.id or not cover.is_active):
        raise Invalid(fields={"cover": "Choose an active colleague other than yourself."})
    user.away_from, user.away_until, user.cover_user = away_from, away_until, cover
    db.session.flush()


def update_profile(user: User, *, display_name: str, email_preference: str) -> None:
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 120:
        raise Invalid(fields={"display_name": "Enter a name of at most 120 characters."})
    try:
        user.email_preference = EmailPreference(email_preference)
    except ValueError as exc:
        raise Invalid(fields={"email_preference": "Choose immediately, daily or off."}) from exc
    user.display_name = display_name
    db.session.flush()


def admin_update_user(
    actor: User,
    user: User,
    *,
    role: Role | str | None = None,
    department: Department | bool | None = False,
    is_active: bool | None = None,
) -> User:
    """Admins change role, department and active flag. Deactivation keeps every post.

    `department=False` means "leave unchanged"; None clears it. An admin cannot demote or
    deactivate themselves, so an organization is never left without an admin by accident.
    """
    require_role(actor, Role.ADMIN)
    if role is not None:
        new_role = _parse_role(role)
        if user.id == actor.id and new_role != Role.ADMIN:
            raise Invalid(fields={"role": "You cannot remove your own admin role."})
        user.role = new_role
    if department is not False:
        user.department = department if isinstance(department, Department) else None
    if is_active is not None and is_active != user.is_active:
        if user.id == actor.id and not is_active:
            raise Invalid(fields={"is_active": "You cannot deactivate yourself."})
        user.is_active = is_active
        user.session_token = new_token(16)
        logger.info(
            "user %s %s by admin %s",
            user.id,
            "reactivated" if is_active else "deactivated",
            actor.id,
        )
    db.session.flush()
    return user


def create_department(actor: User, *, slug: str, name: str) -> Department:
    """Admins create departments; the slug is lower-case letters, digits and hyphens, unique."""
    require_role(actor, Role.ADMIN)
    slug = (slug or "").strip().lower()
    name = (name or "").strip()
    fields = {}
    if not SLUG_RE.match(slug) or len(slug) > 64:
        fields["slug"] = "Use lower-case letters, digits and hyphens (at most 64)."
    if not name or len(name) > 200:
        fields["name"] = "Enter a name of at most 200 characters."
    if fields:
        raise Invalid(fields=fields)
    if department_by_slug(slug) is not None:
        raise Conflict(
            f"A department with slug {slug!r} exists.", fields={"slug": "Already taken."}
        )
    department = Department(slug=slug, name=name)
    db.session.add(department)
    db.session.flush()
    return department


def rename_department(actor: User, department: Department, *, name: str) -> Department:
    require_role(actor, Role.ADMIN)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise Invalid(fields={"name": "Enter a name of at most 200 characters."})
    department.name = name
    db.session.flush()
    return department


def create_api_token(user: User, name: str, now: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new bearer token; only its hash is stored, the secret is returned once."""
    name = (name or "").strip() or "API token"
    if len(name) > 100:
        raise Invalid(fields={"name": "Use at most 100 characters."})
    secret = "fjt_" + new_token()
    token = ApiToken(
        user=user,
        name=name,
        prefix=secret[:10],
        token_hash=hash_token(secret),
        created_at=now or utcnow(),
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def list_api_tokens(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc())
        )
    )


def revoke_api_token(user: User, token_id: int, now: dt.datetime | None = None) -> None:
    """Revoke one of the user's own tokens; another person's token is NotFound."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFound("No such token.")
    token.revoked_at = now or utcnow()
    db.session.flush()


def user_for_api_token(secret: str, now: dt.datetime | None = None) -> User | None:
    """The active owner of a live token, recording its use; None for anything else."""
    if not secret:
        return None
    token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None)
        )
    )
    if token is None or not token.user.is_active:
        return None
    now = now or utcnow()
    # Write at most once a minute: every API call would otherwise be a write transaction.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        token.last_used_at = now
    return token.user


def load_session_user(identity: str) -> User | None:
    """Flask-Login's loader: `<id>:<session_token>`; a rotated token or inactive user is nobody."""
    user_id, _, session_token = (identity or "").partition(":")
    if not user_id.isdigit() or not session_token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_token != session_token:
        return None
    return user
