"""Staff accounts: departments, users, invitations, reset tokens, API tokens, sign-in attempts."""

from __future__ import annotations

import datetime as dt
import enum

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
        return list(Role).index(self)

    @property
    def label(self) -> str:
        return {
            "member": "Member",
            "enthusiast": "Digital enthusiast",
            "senior": "Senior",
            "admin": "Administrator",
        }[self.value]


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

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased: email addresses are unique regardless of case.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="SET NULL"), index=True
    )
    role: Mapped[Role] = mapped_column(String(20), default=Role.MEMBER)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)  # type: ignore[assignment]
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Rotated on password change and deactivation: it is part of the session and remember-me
    # identity, so rotating it signs the person out everywhere.
    session_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    away_from: Mapped[dt.date | None]
    away_until: Mapped[dt.date | None]
    cover_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    email_preference: Mapped[EmailPreference] = mapped_column(
        String(20), default=EmailPreference.IMMEDIATELY
    )

    department: Mapped[Department | None] = relationship(
        back_populates="members", foreign_keys=[department_id]
    )
    cover_user: Mapped[User | None] = relationship(remote_side=[id], foreign_keys=[cover_user_id])

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

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


class PasswordResetToken(Model):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


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


class LoginAttempt(Model):
    """Failed sign-ins, kept in the database so every gunicorn worker counts the same ones."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_created_at", "email", "created_at"),
        Index("ix_login_attempts_ip_created_at", "ip", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    ip: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
