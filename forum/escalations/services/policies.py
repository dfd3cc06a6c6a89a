"""Escalation policies for admins: what they match, their levels, repeats and webhooks."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from forum.accounts.models import Department, Role, User
from forum.accounts.permissions import require_role
from forum.alerts.models import WebhookEndpoint
from forum.boards.models import Board
from forum.core.db import utcnow
from forum.core.errors import Conflict, Invalid, NotFound
from forum.escalations.models import (
    EscalationPolicy,
    EscalationPolicyLevel,
    Urgency,
    level_users,
)
from forum.extensions import db

logger = logging.getLogger(__name__)

MAX_LEVELS = 10
MAX_REPEATS = 10
MAX_TIMEOUT_MINUTES = 7 * 24 * 60


def list_policies() -> list[EscalationPolicy]:
    """Every policy in matching order (position, then id), with what the admin pages show."""
    return list(
        db.session.scalars(
            select(EscalationPolicy)
            .order_by(EscalationPolicy.position, EscalationPolicy.id)
            .options(
                selectinload(EscalationPolicy.departments),
                selectinload(EscalationPolicy.boards),
                selectinload(EscalationPolicy.webhook_endpoints),
                selectinload(EscalationPolicy.levels).selectinload(EscalationPolicyLevel.users),
                selectinload(EscalationPolicy.levels).selectinload(
                    EscalationPolicyLevel.department
                ),
            )
        )
    )


def get_policy(policy_id: int) -> EscalationPolicy:
    policy = db.session.get(EscalationPolicy, policy_id)
    if policy is None:
        raise NotFound("There is no such escalation policy.")
    return policy


def policy_by_name(name: str) -> EscalationPolicy | None:
    return db.session.scalar(
        select(EscalationPolicy).where(func.lower(EscalationPolicy.name) == name.strip().lower())
    )


def _clean(
    name: str, urgencies: Iterable[str], repeat_count: int, policy: EscalationPolicy | None
) -> tuple[str, list[str]]:
    fields: dict[str, str] = {}
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= 120:
        fields["name"] = "Give a name of 1 to 120 characters."
    chosen: list[str] = []
    for value in urgencies:
        try:
            chosen.append(Urgency(value).value)
        except ValueError:
            fields["urgencies"] = "Choose among routine, urgent and crisis."
    if not 0 <= repeat_count <= MAX_REPEATS:
        fields["repeat_count"] = f"Repeat between 0 and {MAX_REPEATS} times."
    if fields:
        raise Invalid(fields=fields)
    clash = policy_by_name(name)
    if clash is not None and clash is not policy:
        raise Conflict("Another policy has that name.", fields={"name": "Already in use."})
    return name, sorted(set(chosen), key=lambda v: Urgency(v).rank)


def save_policy(
    actor: User,
    policy: EscalationPolicy | None = None,
    *,
    name: str,
    description: str = "",
    position: int = 0,
    is_active: bool = True,
    urgencies: Iterable[str] = (),
    departments: Iterable[Department] = (),
    boards: Iterable[Board] = (),
    webhook_endpoints: Iterable[WebhookEndpoint] = (),
    repeat_count: int = 0,
    now: dt.datetime | None = None,
) -> EscalationPolicy:
    """Create a policy (when `policy` is None) or change one. Admins only (NotPermitted).

    Empty urgencies, departments and boards mean "any". Raises Invalid, Conflict (name taken).
    """
    require_role(actor, Role.ADMIN)
    name, chosen = _clean(name, urgencies, repeat_count, policy)
    now = now or utcnow()
    if policy is None:
        policy = EscalationPolicy(created_at=now)
        db.session.add(policy)
    policy.name = name
    policy.description = (description or "").strip()[:2000]
    policy.position = position
    policy.is_active = is_active
    policy.urgencies = chosen
    policy.repeat_count = repeat_count
    policy.departments = list(departments)
    policy.boards = list(boards)
    policy.webhook_endpoints = list(webhook_endpoints)
    policy.updated_at = now
    db.session.flush()
    logger.info("escalation policy %s saved by user %s", policy.id, actor.id)
    return policy


def delete_policy(actor: User, policy: EscalationPolicy) -> None:
    """Remove a policy; escalations that used it fall back to the default ladder. Admins only."""
    require_role(actor, Role.ADMIN)
    logger.info("escalation policy %s deleted by user %s", policy.id, actor.id)
    db.session.delete(policy)
    db.session.flush()


def add_level(
    actor: User,
    policy: EscalationPolicy,
    *,
    users: Iterable[User] = (),
    department: Department | None = None,
    includes_thread_department: bool = False,
    timeout_minutes: int | None = None,
) -> EscalationPolicyLevel:
    """Append a level to the ladder. Admins only.

    A level needs somebody: named people, a department's seniors, or the thread's department's
    seniors. Raises Invalid otherwise, or for a timeout outside 1 minute to 7 days, or past
    MAX_LEVELS levels.
    """
    require_role(actor, Role.ADMIN)
    people = list(users)
    fields: dict[str, str] = {}
    if not people and department is None and not includes_thread_department:
        fields["users"] = "Choose people, a department, or the thread's department."
    if timeout_minutes is not None and not 1 <= timeout_minutes <= MAX_TIMEOUT_MINUTES:
        fields["timeout_minutes"] = "Between 1 minute and 7 days (10080 minutes)."
    if len(policy.levels) >= MAX_LEVELS:
        fields["users"] = f"A policy has at most {MAX_LEVELS} levels."
    if fields:
        raise Invalid(fields=fields)
    level = EscalationPolicyLevel(
        position=len(policy.levels) + 1,
        department=department,
        includes_thread_department=includes_thread_department,
        timeout_minutes=timeout_minutes,
    )
    level.users = people
    policy.levels.append(level)
    policy.updated_at = utcnow()
    db.session.flush()
    return level


def remove_level(actor: User, policy: EscalationPolicy, level_id: int) -> None:
    """Take a level out and renumber the rest. Admins only; NotFound for a stranger's level."""
    require_role(actor, Role.ADMIN)
    level = next((lv for lv in policy.levels if lv.id == level_id), None)
    if level is None:
        raise NotFound("That level is not part of this policy.")
    policy.levels.remove(level)
    db.session.flush()
    for position, remaining in enumerate(policy.levels, start=1):
        remaining.position = position
    policy.updated_at = utcnow()
    db.session.flush()


def replace_level_member(
    actor: User, level: EscalationPolicyLevel, *, leaving: User, joining: User
) -> EscalationPolicyLevel:
    """Put `joining` on a level in place of `leaving` (a hand-over). Admins only.

    Raises NotFound when `leaving` is not on the level, Invalid (field users) when `joining` is
    not active. Someone already on the level stays there once.
    """
    require_role(actor, Role.ADMIN)
    if all(user.id != leaving.id for user in level.users):
        raise NotFound(f"{leaving.display_name} is not on that level.")
    if not joining.is_active:
        raise Invalid(fields={"users": f"{joining.display_name}'s account is switched off."})
    people = [user for user in level.users if user.id != leaving.id]
    if all(user.id != joining.id for user in people):
        people.append(joining)
    level.users = people
    level.policy.updated_at = utcnow()
    db.session.flush()
    logger.info(
        "escalation policy level %s: user %s replaced by user %s (admin %s)",
        level.id,
        leaving.id,
        joining.id,
        actor.id,
    )
    return level


def levels_with(user: User) -> list[EscalationPolicyLevel]:
    """The policy levels that name `user`, in policy order then level (a person page lists
    them: "level 2 of Press office crisis")."""
    return list(
        db.session.scalars(
            select(EscalationPolicyLevel)
            .join(level_users, level_users.c.level_id == EscalationPolicyLevel.id)
            .join(EscalationPolicy, EscalationPolicy.id == EscalationPolicyLevel.policy_id)
            .where(level_users.c.user_id == user.id)
            .options(selectinload(EscalationPolicyLevel.policy))
            .order_by(
                EscalationPolicy.position, EscalationPolicy.id, EscalationPolicyLevel.position
            )
        )
    )
