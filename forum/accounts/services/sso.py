"""Single sign-on: turn an OpenID Provider's verified claims into a local account.

The views (forum/accounts/sso_views.py) run the Authorization Code exchange with Authlib, which
checks state, PKCE, the nonce and the ID token's signature, issuer, audience and times. What
reaches `sign_in` is what the provider vouches for; this module decides who that is here:

1. the account already linked to the provider's (issuer, subject);
2. else the account with the same email, linked now if the provider verified that email;
3. else a new account, when the email's domain is one of OIDC_ALLOWED_DOMAINS.

With OIDC_ROLE_GROUPS or OIDC_DEPARTMENT_CLAIM set, the role or department follows the provider
at every sign-in. Every link, creation and change leaves an audit entry.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, or_, select

from forum.accounts.models import AuditAction, Department, Role, User
from forum.accounts.services import audit, signin
from forum.accounts.services.users import create_user, normalize_email, user_by_email
from forum.core.errors import Invalid, NotPermitted
from forum.extensions import db

logger = logging.getLogger(__name__)

Settings = Mapping[str, Any]


@dataclasses.dataclass(frozen=True)
class Identity:
    """Who the provider says signed in."""

    issuer: str
    subject: str
    email: str
    email_verified: bool
    name: str | None
    groups: tuple[str, ...] = ()
    department: str | None = None

    @property
    def domain(self) -> str:
        return self.email.rsplit("@", 1)[1]


def identity_from_claims(claims: Mapping[str, Any], *, issuer: str, settings: Settings) -> Identity:
    """Read an Identity from ID token (and userinfo) claims, by the configured claim names.

    Raises Invalid when the provider sent no subject or no usable email address.
    """
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise Invalid("The sign-in provider did not identify you (no subject); try again.")
    email_claim = settings["OIDC_EMAIL_CLAIM"]
    raw_email = claims.get(email_claim)
    if not isinstance(raw_email, str) or not raw_email.strip():
        raise Invalid(
            f"The sign-in provider did not send your email address (claim {email_claim!r}). "
            "Ask an administrator to check the single sign-on settings."
        )
    try:
        email = normalize_email(raw_email)
    except Invalid:
        raise Invalid(
            "The sign-in provider sent an email address this forum cannot use. "
            "Ask an administrator to check the single sign-on settings."
        ) from None
    verified = claims.get("email_verified") is True or bool(settings["OIDC_EMAILS_VERIFIED"])
    name = claims.get("name")
    groups = claims.get(settings["OIDC_GROUPS_CLAIM"]) or ()
    department_claim = settings["OIDC_DEPARTMENT_CLAIM"]
    department = claims.get(department_claim) if department_claim else None
    return Identity(
        issuer=issuer,
        subject=subject,
        email=email,
        email_verified=verified,
        name=name.strip()[:120] if isinstance(name, str) and name.strip() else None,
        groups=tuple(g for g in groups if isinstance(g, str)) if isinstance(groups, list) else (),
        department=department.strip() if isinstance(department, str) else None,
    )


def linked_user(issuer: str, subject: str) -> User | None:
    return db.session.scalar(
        select(User).where(User.sso_issuer == issuer, User.sso_subject == subject)
    )


def sign_in(identity: Identity, settings: Settings, *, ip: str | None = None) -> User:
    """The account this identity signs in to, linked or created as needed, in the caller's
    transaction. Raises NotPermitted (a domain that is not allowed, a deactivated account) or
    Invalid (an email that cannot be linked), each with a message for the person."""
    allowed = settings["OIDC_ALLOWED_DOMAINS"]
    if allowed and identity.domain not in allowed:
        raise NotPermitted(
            f"Accounts at {identity.domain} cannot sign in to this forum. Sign in with your "
            "work account, or ask an administrator."
        )
    user = linked_user(identity.issuer, identity.subject)
    if user is None:
        user = _link_or_create(identity, settings, ip=ip)
    if not user.is_active:
        raise NotPermitted("This account has been deactivated. Ask an administrator.")
    _follow_provider(user, identity, settings, ip=ip)
    signin.signed_in(user, ip=ip, method="sso")
    return user


def _link_or_create(identity: Identity, settings: Settings, *, ip: str | None) -> User:
    user = user_by_email(identity.email)
    if user is not None:
        if not identity.email_verified:
            raise Invalid(
                f"The sign-in provider has not verified {identity.email}, so it cannot be "
                "linked to the account with that address. Sign in with your password, or ask "
                "an administrator."
            )
        if user.sso_subject is not None:
            raise Invalid(
                f"The account for {identity.email} is linked to another single sign-on "
                "identity. Ask an administrator."
            )
        user.sso_issuer, user.sso_subject = identity.issuer, identity.subject
        audit.record(AuditAction.SSO_LINKED, user, user, ip=ip, issuer=identity.issuer)
        logger.info("user %s linked to single sign-on", user.id)
        return user
    if not settings["OIDC_ALLOWED_DOMAINS"]:
        raise NotPermitted(
            f"There is no account for {identity.email} here. Ask an administrator for an "
            "invitation."
        )
    user = create_user(
        identity.email,
        display_name=identity.name or identity.email.split("@", 1)[0],
        role=_role_from_groups(identity, settings) or Role.MEMBER,
        department=_department_named(identity.department),
    )
    user.sso_issuer, user.sso_subject = identity.issuer, identity.subject
    audit.record(
        AuditAction.SSO_ACCOUNT_CREATED,
        user,
        user,
        ip=ip,
        issuer=identity.issuer,
        role=str(user.role),
    )
    return user


def _follow_provider(user: User, identity: Identity, settings: Settings, *, ip: str | None) -> None:
    """Apply the role and department the provider gives, when so configured."""
    changes: dict[str, Any] = {}
    if settings["OIDC_ROLE_GROUPS"]:
        role = _role_from_groups(identity, settings) or Role.MEMBER
        if role != Role(user.role):
            changes["role"] = [str(user.role), str(role)]
            user.role = role
    if settings["OIDC_DEPARTMENT_CLAIM"] and identity.department:
        department = _department_named(identity.department)
        if department is not None and department.id != user.department_id:
            changes["department"] = [
                user.department.slug if user.department else None,
                department.slug,
            ]
            user.department = department
    if changes:
        audit.record(AuditAction.SSO_UPDATED, None, user, ip=ip, **changes)


def _role_from_groups(identity: Identity, settings: Settings) -> Role | None:
    """The highest role any of the person's groups maps to, or None."""
    mapping: Mapping[str, str] = settings["OIDC_ROLE_GROUPS"]
    roles = [Role(mapping[group]) for group in identity.groups if group in mapping]
    return max(roles, key=lambda role: role.rank) if roles else None


def _department_named(name: str | None) -> Department | None:
    """The department whose slug or name (any case) the provider sent."""
    if not name:
        return None
    return db.session.scalar(
        select(Department).where(
            or_(Department.slug == name.lower(), func.lower(Department.name) == name.lower())
        )
    )
