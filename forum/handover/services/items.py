"""What a person still holds, within a hand-over's scope: read live, one query per kind.

Reading other capabilities' tables is the one liberty taken here (as insights does); every
change goes through the owning capability's services (see reassigning.py).
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from forum.accounts.models import User
from forum.boards.models import Board, BoardModerator
from forum.escalations.models import (
    Escalation,
    EscalationPolicyLevel,
    EscalationState,
    level_users,
    policy_departments,
)
from forum.extensions import db
from forum.handover.models import Handover
from forum.registry.models import ProfileStatus, SocialProfile


class ItemKind(enum.StrEnum):
    """The kinds of thing a person holds; the API's `kind`. The item's `id` is the id of the
    profile, policy level, board, escalation, or covered person."""

    PROFILE_OWNER = "profile_owner"
    PROFILE_BACKUP = "profile_backup"
    POLICY_LEVEL = "policy_level"
    BOARD_MODERATOR = "board_moderator"
    ESCALATION = "escalation"
    COVER = "cover"

    @property
    def label(self) -> str:
        return {
            "profile_owner": "Profiles owned",
            "profile_backup": "Profiles backed up",
            "policy_level": "Escalation policy levels",
            "board_moderator": "Boards moderated",
            "escalation": "Open escalations assigned",
            "cover": "People covered for",
        }[self.value]


@dataclass(frozen=True)
class Item:
    """One thing still held: its kind and id, a name for people and where it lives."""

    kind: ItemKind
    id: int
    label: str
    url: str
    detail: str = ""


def _profiles(user_id: int, departments: Collection[int] | None) -> list[Item]:
    query = (
        select(SocialProfile)
        .where(
            or_(SocialProfile.owner_id == user_id, SocialProfile.backup_owner_id == user_id),
            # An archived account has no duties left, and the registry keeps it read-only.
            SocialProfile.status != ProfileStatus.ARCHIVED,
        )
        .options(selectinload(SocialProfile.platform), selectinload(SocialProfile.department))
        .order_by(SocialProfile.display_name, SocialProfile.id)
    )
    if departments is not None:
        query = query.where(SocialProfile.department_id.in_(departments))
    items = []
    for profile in db.session.scalars(query):
        label = f"{profile.display_name} on {profile.platform.name}"
        detail = f"{profile.department.name}, {profile.status}"
        url = f"/profiles/{profile.id}"
        if profile.owner_id == user_id:
            items.append(Item(ItemKind.PROFILE_OWNER, profile.id, label, url, detail))
        if profile.backup_owner_id == user_id:
            items.append(Item(ItemKind.PROFILE_BACKUP, profile.id, label, url, detail))
    return items


def _levels(user_id: int, departments: Collection[int] | None) -> list[Item]:
    query = (
        select(EscalationPolicyLevel)
        .join(level_users, level_users.c.level_id == EscalationPolicyLevel.id)
        .where(level_users.c.user_id == user_id)
        .options(selectinload(EscalationPolicyLevel.policy))
        .order_by(EscalationPolicyLevel.policy_id, EscalationPolicyLevel.position)
    )
    if departments is not None:
        # A level of a policy for the old department, or one alerting that department's seniors.
        for_department = select(policy_departments.c.policy_id).where(
            policy_departments.c.department_id.in_(departments)
        )
        query = query.where(
            or_(
                EscalationPolicyLevel.department_id.in_(departments),
                EscalationPolicyLevel.policy_id.in_(for_department),
            )
        )
    return [
        Item(
            ItemKind.POLICY_LEVEL,
            level.id,
            f"{level.policy.name}, level {level.position}",
            f"/admin/escalation-policies/{level.policy_id}",
            "active policy" if level.policy.is_active else "switched-off policy",
        )
        for level in db.session.scalars(query)
    ]


def _boards(user_id: int, departments: Collection[int] | None) -> list[Item]:
    query = (
        select(Board)
        .join(BoardModerator, BoardModerator.board_id == Board.id)
        .where(BoardModerator.user_id == user_id)
        .order_by(Board.position, Board.name)
    )
    if departments is not None:
        query = query.where(Board.department_id.in_(departments))
    return [
        Item(ItemKind.BOARD_MODERATOR, board.id, board.name, f"/b/{board.slug}")
        for board in db.session.scalars(query)
    ]


def _escalations(user_id: int, departments: Collection[int] | None) -> list[Item]:
    query = (
        select(Escalation)
        .where(
            Escalation.assigned_to_id == user_id,
            Escalation.state.in_((EscalationState.OPEN, EscalationState.ACKNOWLEDGED)),
        )
        .options(selectinload(Escalation.thread))
        .order_by(Escalation.id)
    )
    if departments is not None:
        query = query.where(Escalation.department_id.in_(departments))
    return [
        Item(
            ItemKind.ESCALATION,
            escalation.id,
            f"Escalation: {escalation.thread.title}",
            f"/escalations/{escalation.id}",
            f"{escalation.urgency_enum.label}, {escalation.state_enum.label.lower()}",
        )
        for escalation in db.session.scalars(query)
    ]


def _covered(user_id: int, departments: Collection[int] | None) -> list[Item]:
    query = (
        select(User)
        .where(User.cover_user_id == user_id, User.is_active.is_(True))
        .order_by(User.display_name)
    )
    if departments is not None:
        query = query.where(User.department_id.in_(departments))
    return [
        Item(ItemKind.COVER, person.id, person.display_name, f"/admin/users/{person.id}")
        for person in db.session.scalars(query)
    ]


# Each reader and the kinds it returns: a caller that wants some kinds runs only their readers.
_READERS = (
    (_profiles, {ItemKind.PROFILE_OWNER, ItemKind.PROFILE_BACKUP}),
    (_levels, {ItemKind.POLICY_LEVEL}),
    (_boards, {ItemKind.BOARD_MODERATOR}),
    (_escalations, {ItemKind.ESCALATION}),
    (_covered, {ItemKind.COVER}),
)


def scope(handover: Handover) -> set[int] | None:
    """The department ids the hand-over covers, or None for everything."""
    return None if handover.is_everything else {d.id for d in handover.departments}


def held_items(handover: Handover, *, kinds: Collection[ItemKind] | None = None) -> list[Item]:
    """What the person still holds within the hand-over's scope (of these kinds, if given), in
    the order of ItemKind. A closed hand-over holds nothing any more: []."""
    if not handover.is_open:
        return []
    departments = scope(handover)
    wanted = set(kinds) if kinds is not None else set(ItemKind)
    items = [
        item
        for read, returns in _READERS
        if returns & wanted
        for item in read(handover.user_id, departments)
        if item.kind in wanted
    ]
    order = list(ItemKind)
    items.sort(key=lambda item: order.index(item.kind))
    return items
