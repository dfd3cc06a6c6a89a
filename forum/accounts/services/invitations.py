"""How people join: an admin's invitation (a link that works once), or open sign-up for
addresses in ALLOWED_EMAIL_DOMAINS."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from forum.accounts.models import Department, Invitation, Role, User
from forum.accounts.permissions import require_role
from forum.accounts.services.users import create_user, normalize_email, parse_role, user_by_email
from forum.core.db import utcnow
from forum.core.errors import Conflict, NotFound, NotPermitted
from forum.core.security import hash_token, new_token
from forum.extensions import db

logger = logging.getLogger(__name__)


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
        role=parse_role(role),
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
    # Other open invitations to the same address are spent too: their links now say so.
    for sibling in db.session.scalars(
        select(Invitation).where(
            Invitation.email == invitation.email,
            Invitation.id != invitation.id,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
    ):
        sibling.revoked_at = now
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
