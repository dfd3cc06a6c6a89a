"""API tokens: bearer secrets of which only the hash is stored, revocable one by one or all."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from forum.accounts.models import ApiToken, AuditAction, User
from forum.accounts.services import audit
from forum.core.db import utcnow
from forum.core.errors import Invalid, NotFound
from forum.core.security import hash_token, new_token
from forum.extensions import db


def create_api_token(user: User, name: str, now: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """A new bearer token; only its hash is stored, the secret is returned once. Audited (by
    its name and first characters, never the secret)."""
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
    audit.record(
        AuditAction.API_TOKEN_CREATED, user, token, now=now, name=name, prefix=token.prefix
    )
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
    """Revoke one of the user's own tokens, audited; another person's token is NotFound."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        raise NotFound("No such token.")
    token.revoked_at = now or utcnow()
    db.session.flush()
    audit.record(AuditAction.API_TOKEN_REVOKED, user, token, now=now, name=token.name)


def revoke_all_api_tokens(user: User, now: dt.datetime | None = None) -> int:
    """Revoke every live API token of the person (a password change does); returns how many."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    revoked = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if revoked:
        audit.record(AuditAction.API_TOKEN_REVOKED, None, user, now=now, all=True, count=revoked)
    return revoked


def user_for_api_token(secret: str, now: dt.datetime | None = None) -> User | None:
    """The active owner of a live token, recording its use; None for anything else."""
    if not secret:
        return None
    # The owner comes in the same query: every API request asks for both.
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.user))
    )
    if token is None or not token.user.is_active:
        return None
    now = now or utcnow()
    # Write at most once a minute: every API call would otherwise be a write transaction.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        token.last_used_at = now
    return token.user
