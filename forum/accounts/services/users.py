"""Staff accounts: creating people, passwords, their own profile, and what admins change."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context
from flask_login import current_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from forum.accounts import signals
from forum.accounts.models import AuditAction, Department, EmailPreference, Role, User
from forum.accounts.permissions import require_role
from forum.accounts.services import audit, handles, sessions
from forum.accounts.services.tokens import revoke_all_api_tokens
from forum.core.clock import forget_reader_zone, is_time_zone
from forum.core.db import utcnow
from forum.core.errors import Conflict, Invalid
from forum.core.security import new_token
from forum.extensions import db

logger = logging.getLogger(__name__)


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


def parse_role(value: Role | str, field: str = "role") -> Role:
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
    parsed_role = parse_role(role)
    if user_by_email(email) is not None:
        raise Conflict(
            f"An account for {email} already exists.", fields={"email": "Already taken."}
        )
    user = User(
        email=email,
        handle=handles.unique_handle(handles.handle_from_email(email)),
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


def set_password(
    user: User, password: str, *, min_length: int = 10, now: dt.datetime | None = None
) -> dict[str, int]:
    """Set a new password. Whoever knew the old one loses what it gave them: every sign-in
    session ends (this device's too: the caller signs it in afresh), every API token is revoked
    and private feed links change. Returns how many sessions and tokens ended. Raises Invalid
    for a password that breaks the rules."""
    _check_password_rules(password, min_length)
    user.password_hash = hash_password(password)
    user.session_token = new_token(16)
    ended = sessions.end_all(user, now=now)
    revoked = revoke_all_api_tokens(user, now=now)
    db.session.flush()
    return {"sessions_ended": ended, "api_tokens_revoked": revoked}


def change_password(
    user: User,
    current: str,
    new: str,
    *,
    min_length: int = 10,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Change a password after checking the current one (see set_password), audited.
    Raises Invalid for a wrong current password or a new one that breaks the rules."""
    if not user.password_hash or not check_password_hash(user.password_hash, current or ""):
        raise Invalid(fields={"current_password": "The current password is not right."})
    revoked = set_password(user, new, min_length=min_length, now=now)
    audit.record(
        AuditAction.PASSWORD_CHANGED,
        user,
        user,
        ip=ip,
        now=now,
        **revoked,
    )
    logger.info("user %s changed password", user.id)
    return revoked


# What a profile form sends for "follow the organization's time zone".
ORGANIZATION_ZONE = ""


def update_profile(
    user: User,
    *,
    display_name: str,
    email_preference: str,
    time_zone: str | None = None,
) -> None:
    """Save name, email preference and (when given) time zone; "" follows the organization."""
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 120:
        raise Invalid(fields={"display_name": "Enter a name of at most 120 characters."})
    try:
        preference = EmailPreference(email_preference)
    except ValueError as exc:
        raise Invalid(fields={"email_preference": "Choose immediately, daily or off."}) from exc
    if time_zone is not None:
        time_zone = time_zone.strip()
        if time_zone != ORGANIZATION_ZONE and not is_time_zone(time_zone):
            raise Invalid(
                fields={"time_zone": "Choose a time zone from the list, such as Europe/London."}
            )
        user.time_zone = time_zone or None
        forget_reader_zone()
    user.email_preference = preference
    user.display_name = display_name
    db.session.flush()


def set_email_preference(user: User, preference: EmailPreference) -> None:
    """Change only how the person gets notification email (an unsubscribe link does)."""
    user.email_preference = EmailPreference(preference)
    db.session.flush()


def chosen_time_zone() -> str | None:
    """The signed-in reader's own time zone, if they picked one."""
    if not current_user or not current_user.is_authenticated:
        return None
    return getattr(current_user, "time_zone", None)


def admin_update_user(
    actor: User,
    user: User,
    *,
    role: Role | str | None = None,
    department: Department | bool | None = False,
    is_active: bool | None = None,
) -> User:
    """Admins change role, department and active flag. Deactivation keeps every post.

    Each change is audited. `department=False` means "leave unchanged"; None clears it. An
    admin cannot demote or deactivate themselves, so an organization is never left without an
    admin by accident. A department change and a deactivation are announced (accounts.signals)
    after the flush, inside the transaction, so the hand-over they open commits with them.
    """
    require_role(actor, Role.ADMIN)
    old_department_id = user.department_id
    deactivated = False
    if role is not None:
        new_role = parse_role(role)
        if user.id == actor.id and new_role != Role.ADMIN:
            raise Invalid(fields={"role": "You cannot remove your own admin role."})
        if new_role != user.role:
            audit.record(
                AuditAction.ROLE_CHANGED, actor, user, old=str(user.role), new=str(new_role)
            )
        user.role = new_role
    if department is not False:
        new_department = department if isinstance(department, Department) else None
        if (new_department.id if new_department else None) != user.department_id:
            audit.record(
                AuditAction.DEPARTMENT_CHANGED,
                actor,
                user,
                old=user.department.slug if user.department else None,
                new=new_department.slug if new_department else None,
            )
        user.department = new_department
    if is_active is not None and is_active != user.is_active:
        if user.id == actor.id and not is_active:
            raise Invalid(fields={"is_active": "You cannot deactivate yourself."})
        audit.record(
            AuditAction.USER_REACTIVATED if is_active else AuditAction.USER_DEACTIVATED,
            actor,
            user,
        )
        user.is_active = is_active
        deactivated = not is_active
        user.session_token = new_token(16)
        # Reactivation must not revive the sign-ins that were live before.
        sessions.end_all(user)
        logger.info(
            "user %s %s by admin %s",
            user.id,
            "reactivated" if is_active else "deactivated",
            actor.id,
        )
    db.session.flush()
    now = utcnow()
    if user.department_id != old_department_id:
        signals.user_department_changed.send(
            user,
            actor=actor,
            old_department_id=old_department_id,
            new_department_id=user.department_id,
            now=now,
        )
    if deactivated:
        signals.user_deactivated.send(user, actor=actor, now=now)
    return user
