"""Staff accounts: departments, users, sign-in sessions, invitations, reset requests, API
tokens, used email links, failed sign-ins, the audit trail, two-factor sign-in and site
settings."""

from __future__ import annotations

import datetime as dt
import enum
from typing import TYPE_CHECKING, Any

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from forum.accounts.audit_actions import AuditAction
from forum.core.db import UTCDateTime, utcnow
from forum.extensions import Model


class Role(enum.StrEnum):
    """Staff roles in ascending power; `rank` orders them."""

    MEMBER = "member"
    ENTHUSIAST = "enthusiast"
    SENIOR = "senior"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        # Looked up, not list(Role).index(self): every page's navigation asks a dozen times.
        return _ROLE_RANKS[self]

    @property
    def label(self) -> str:
        return {
            "member": "Member",
            "enthusiast": "Digital enthusiast",
            "senior": "Senior",
            "admin": "Administrator",
        }[self.value]


_ROLE_RANKS = {role: rank for rank, role in enumerate(Role)}


class EmailPreference(enum.StrEnum):
    """How a person wants notification email: at once, as a daily digest, or not at all."""

    IMMEDIATELY = "immediately"
    DAILY = "daily"
    OFF = "off"


class Department(Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)

    members: Mapped[list[User]] = relationship(
        back_populates="department", foreign_keys="User.department_id"
    )

    def __repr__(self) -> str:
        return f"<Department {self.slug}>"


class User(UserMixin, Model):
    __tablename__ = "users"
    __table_args__ = (
        Index("ux_users_sso_issuer_sso_subject", "sso_issuer", "sso_subject", unique=True),
        Index("ux_users_handle", "handle", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased: email addresses are unique regardless of case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    # /u/<handle> and @handle (services.handles), set when the account is made; nullable only
    # because SQLite cannot add a NOT NULL column to `users` without rebuilding the table.
    handle: Mapped[str] = mapped_column(String(64), nullable=True)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    role: Mapped[Role] = mapped_column(String(20), default=Role.MEMBER)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)  # type: ignore[assignment]
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Rotated on password change and deactivation. It keys what must die with the password
    # but is not a sign-in: private feed links (sign-ins are UserSession rows).
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    away_from: Mapped[dt.date | None]
    away_until: Mapped[dt.date | None]
    cover_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    email_preference: Mapped[EmailPreference] = mapped_column(
        String(20), default=EmailPreference.IMMEDIATELY
    )
    # The IANA zone this person reads times in; None follows the organization's FORUM_TIMEZONE.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    # The single sign-on identity linked to this account: the provider's issuer and its
    # subject ("sub") for the person, which stays the same when their email changes.
    sso_issuer: Mapped[str | None] = mapped_column(String(255))
    sso_subject: Mapped[str | None] = mapped_column(String(255))

    department: Mapped[Department | None] = relationship(
        back_populates="members", foreign_keys=[department_id]
    )
    cover_user: Mapped[User | None] = relationship(remote_side=[id], foreign_keys=[cover_user_id])

    if TYPE_CHECKING:
        # Not a column: the secret of the sign-in (UserSession) this object was loaded through
        # or just signed in with, set by accounts.services.sessions. get_id() hands it to
        # Flask-Login, which keeps it in the session and remember-me cookies.
        session_secret: str | None

    def get_id(self) -> str:
        """`<id>:<sign-in secret>`; without a sign-in the identity loads nobody."""
        return f"{self.id}:{getattr(self, 'session_secret', None) or ''}"

    def has_role(self, role: Role) -> bool:
        return Role(self.role).rank >= role.rank

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    def is_away(self, on: dt.date) -> bool:
        """Away on `on` when it falls inside the from/until range (either end may be open)."""
        if self.away_from is None and self.away_until is None:
            return False
        starts = self.away_from or dt.date.min
        ends = self.away_until or dt.date.max
        return starts <= on <= ends

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class Invitation(Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[Role] = mapped_column(String(20), default=Role.MEMBER)
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    department: Mapped[Department | None] = relationship()
    invited_by: Mapped[User | None] = relationship()


class UserSession(Model):
    """One sign-in on one device: the session and remember-me cookies carry its secret.

    Signing out revokes this row only; "sign out everywhere", a password change or reset and
    deactivation revoke every row of the person.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    is_remembered: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Shown on the settings page so people can tell their devices apart.
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UserSession {self.id} user={self.user_id}>"


class PasswordResetToken(Model):
    """One password-reset request. Every request writes a row, whether or not the address has
    an account (rows without a user can never be redeemed), so both cases do the same work and
    the rows count requests per address and per client for the throttles."""

    __tablename__ = "password_reset_tokens"
    __table_args__ = (
        Index("ix_password_reset_tokens_email_created_at", "email", "created_at"),
        Index("ix_password_reset_tokens_ip_created_at", "ip", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    # The address asked for, normalized (lower case).
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str | None] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # When an email was queued for this request; None when the per-address throttle held it.
    emailed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship()


class ApiToken(Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # First characters of the secret, shown in the list so people can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class EmailLinkUse(Model):
    """A one-click email link that was used (services.email_links): its id, so it works once.

    The links themselves are signed, not stored; a row exists only after a use and is pruned
    once the link would have expired anyway.
    """

    __tablename__ = "email_link_uses"

    # The link's random id (its "jti"), not the link: the link cannot be rebuilt from it.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    used_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class LoginAttempt(Model):
    """Failed sign-ins, kept in the database so every gunicorn worker counts the same ones."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_created_at", "email", "created_at"),
        Index("ix_login_attempts_ip_created_at", "ip", "created_at"),
        Index("ix_login_attempts_device_created_at", "device", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(64))
    # The known-device id when the failure came from a recognised device: such a device has a
    # failure budget of its own instead of the account's and the address's.
    device: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditEvent(Model):
    """Who did what to which object, when and from where: append-only.

    `subject_type`/`subject_id` name any object ("user", 12) without a foreign key, so the
    entry outlives its subject and any capability can be audited; `details` holds the
    action's own facts (never a secret).
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_subject_type_subject_id_at", "subject_type", "subject_id", "at"),
        Index("ix_audit_events_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action: Mapped[AuditAction] = mapped_column(String(64))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))

    actor: Mapped[User | None] = relationship()

    @property
    def action_label(self) -> str:
        try:
            return AuditAction(self.action).label
        except ValueError:  # written by a newer version of the app
            return str(self.action)

    def __repr__(self) -> str:
        return f"<AuditEvent {self.id} {self.action} {self.subject_type}:{self.subject_id}>"


class TwoFactor(Model):
    """A person's TOTP authenticator: enrolled when `confirmed_at` is set (a row without it is
    an enrolment waiting for its first code).

    `last_counter` is the time step of the last code accepted, so a code works once: a code
    of the same or an earlier step is refused, even within its 30 seconds.
    """

    __tablename__ = "two_factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # The base32 shared secret: needed in clear to check codes, like the authenticator app.
    secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    last_counter: Mapped[int | None]

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<TwoFactor user={self.user_id} confirmed={self.confirmed_at is not None}>"


class RecoveryCode(Model):
    """One single-use recovery code of a person's two-factor sign-in, stored hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class SiteSetting(Model):
    """An organization-wide setting that admins change on a page (not in config), by key."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
