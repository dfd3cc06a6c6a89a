"""State changes of staff accounts: users, invitations, passwords, roles, departments, tokens.

Signing in lives in `signin`, sign-in sessions in `sessions`, password resets in `resets`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from forum.accounts import audit, sessions
from forum.accounts.away import cover_candidates as cover_candidates
from forum.accounts.away import cover_problem as cover_problem
from forum.accounts.away import set_away as set_away
from forum.accounts.models import (
    ApiToken,
    AuditAction,
    Department,
    EmailPreference,
    Invitation,
    Role,
    User,
)
from forum.accounts.permissions import require_role
from forum.core.db import utcnow
from forum.core.errors import Conflict, Invalid, NotFound, NotPermitted
from forum.core.security import hash_token, new_token
from forum.extensions import db

logger = logging.getLogger(__name__)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


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


def department_for_form(slug: str | None) -> Department | None:
    """The department a form names by slug; None for none. Raises Invalid for an unknown one."""
    if not slug:
        return None
    department = department_by_slug(slug)
    if department is None:
        raise Invalid(fields={"department": "Unknown department."})
    return department


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
        actor=user,
        subject_type="user",
        subject_id=user.id,
        details=revoked,
        ip=ip,
        now=now,
    )
    logger.info("user %s changed password", user.id)
    return revoked


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
        # Reactivation must not revive the sign-ins that were live before.
        sessions.end_all(user)
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


def revoke_all_api_tokens(user: User, now: dt.datetime | None = None) -> int:
    """Revoke every live API token of the person (a password change does); returns how many."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


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
