"""Passing what a person held to someone else, through the owning capability's own services.

So each capability's rules, histories and timelines apply: the registry records the owner
change in the profile's history, escalations add a "reassigned" event and alert the new
assignee, boards check moderators as when an admin edits a board, accounts checks the cover.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from forum.accounts import services as account_services
from forum.accounts.models import AuditAction, Role, User
from forum.accounts.permissions import require_role
from forum.accounts.services import audit
from forum.alerts import services as alert_services
from forum.boards import services as board_services
from forum.boards.models import Board
from forum.core.db import utcnow
from forum.core.errors import Conflict, ForumError, Invalid, NotFound
from forum.escalations import services as escalation_services
from forum.escalations.models import Escalation, EscalationPolicyLevel
from forum.escalations.services import policies
from forum.extensions import db
from forum.handover.models import Handover
from forum.handover.services.items import Item, ItemKind, held_items
from forum.registry import services as registry_services

logger = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What a reassignment did: the items passed on, and those refused with the reason."""

    reassigned: list[Item] = field(default_factory=list)
    refused: list[tuple[Item, str]] = field(default_factory=list)


def _profile_field(name: str) -> Callable[[User, User, User, int, dt.datetime], None]:
    def apply(actor: User, leaving: User, to: User, item_id: int, now: dt.datetime) -> None:
        profile = registry_services.get_profile(item_id)
        registry_services.update_profile(actor, profile, {name: to.email}, now=now)

    return apply


def _level(actor: User, leaving: User, to: User, item_id: int, now: dt.datetime) -> None:
    level = db.session.get(EscalationPolicyLevel, item_id)
    if level is None:
        raise NotFound("There is no such escalation policy level.")
    policies.replace_level_member(actor, level, leaving=leaving, joining=to)


def _board(actor: User, leaving: User, to: User, item_id: int, now: dt.datetime) -> None:
    board = db.session.get(Board, item_id)
    if board is None:
        raise NotFound("There is no such board.")
    if not to.is_active:
        raise Invalid(fields={"to_user_id": f"{to.display_name}'s account is switched off."})
    staying = [link.user for link in board.moderator_links if link.user_id != leaving.id]
    board_services.set_moderators(actor, board, [*staying, to])


def _escalation(actor: User, leaving: User, to: User, item_id: int, now: dt.datetime) -> None:
    escalation = db.session.get(Escalation, item_id)
    if escalation is None:
        raise NotFound("There is no such escalation.")
    escalation_services.reassign(
        escalation,
        actor=actor,
        assignee=to,
        note=f"Hand-over from {leaving.display_name}.",
        now=now,
    )


def _cover(actor: User, leaving: User, to: User, item_id: int, now: dt.datetime) -> None:
    person = db.session.get(User, item_id)
    if person is None:
        raise NotFound("There is no such person.")
    account_services.set_away(
        person, away_from=person.away_from, away_until=person.away_until, cover=to
    )


_APPLY: dict[ItemKind, Callable[[User, User, User, int, dt.datetime], None]] = {
    ItemKind.PROFILE_OWNER: _profile_field("owner"),
    ItemKind.PROFILE_BACKUP: _profile_field("backup_owner"),
    ItemKind.POLICY_LEVEL: _level,
    ItemKind.BOARD_MODERATOR: _board,
    ItemKind.ESCALATION: _escalation,
    ItemKind.COVER: _cover,
}


def _target(handover: Handover, to_user_id: int) -> User:
    to = db.session.get(User, to_user_id)
    if to is None:
        raise Invalid(fields={"to_user_id": "There is no such person."})
    if to.id == handover.user_id:
        raise Invalid(fields={"to_user_id": "Choose someone other than the person leaving."})
    if not to.is_active:
        raise Invalid(fields={"to_user_id": f"{to.display_name}'s account is switched off."})
    return to


def _pass_on(actor: User, handover: Handover, item: Item, to: User, now: dt.datetime) -> None:
    _APPLY[item.kind](actor, handover.user, to, item.id, now)
    audit.record(
        AuditAction.HANDOVER_REASSIGNED,
        actor,
        handover.user,
        now=now,
        handover_id=handover.id,
        kind=str(item.kind),
        item_id=item.id,
        label=item.label[:200],
        to_user_id=to.id,
        to=to.email,
    )


def _digest(items: list[Item]) -> str:
    """A short fingerprint of what was passed on, so one notice is written per hand-over step."""
    names = ",".join(f"{item.kind}:{item.id}" for item in items)
    return hashlib.sha256(names.encode()).hexdigest()[:32]


def _notify(actor: User, handover: Handover, to: User, items: list[Item], now: dt.datetime) -> None:
    """One notice to the person taking over, naming what they now hold (escalations alert
    their new assignee themselves)."""
    named = [item for item in items if item.kind != ItemKind.ESCALATION]
    if not named or to.id == actor.id:
        return
    leaving = handover.user.display_name
    lines = "\n".join(f"- {item.kind.label}: {item.label}" for item in named)
    alert_services.notify_user(
        to,
        kind="handover",
        title=f"{leaving}'s responsibilities passed to you"
        if len(named) > 1
        else f"{leaving}'s {named[0].label} passed to you",
        body=f"{actor.display_name} handed over to you what {leaving} held:\n\n{lines}",
        url=named[0].url if len(named) == 1 else "/notifications",
        dedupe_key=f"handover:{handover.id}:{to.id}:{now.isoformat()}:" + _digest(named),
        now=now,
    )


def _require_open(actor: User, handover: Handover) -> None:
    require_role(actor, Role.ADMIN)
    if not handover.is_open:
        raise Conflict("This hand-over is closed.")


def reassign_item(
    actor: User,
    handover: Handover,
    *,
    kind: ItemKind | str,
    item_id: int,
    to_user_id: int,
    now: dt.datetime | None = None,
) -> Item:
    """Pass one held item to another active person. Admins only (NotPermitted).

    Raises Conflict for a closed hand-over, NotFound when the person no longer holds the item,
    Invalid for a bad recipient, and whatever the owning capability's rule raises (a backup
    owner who is already the owner, a cover who cannot act on escalations...).
    """
    _require_open(actor, handover)
    kind = parse_kind(kind)
    to = _target(handover, to_user_id)
    item = next((i for i in held_items(handover, kinds={kind}) if i.id == item_id), None)
    if item is None:
        raise NotFound(f"{handover.user.display_name} no longer holds that item.")
    now = now or utcnow()
    _pass_on(actor, handover, item, to, now)
    _notify(actor, handover, to, [item], now)
    logger.info("hand-over %s: %s %s passed to user %s", handover.id, kind, item_id, to.id)
    return item


def reassign_all(
    actor: User,
    handover: Handover,
    *,
    to_user_id: int,
    kind: ItemKind | str | None = None,
    now: dt.datetime | None = None,
) -> Outcome:
    """Pass every held item (of one kind, if given) to one active person. Admins only.

    An item whose own rule refuses the recipient is left held and reported in
    `Outcome.refused`; the owning services check before they write, so the others still pass.
    Raises Conflict for a closed hand-over, Invalid for a bad recipient or kind.
    """
    _require_open(actor, handover)
    wanted = parse_kind(kind) if kind is not None else None
    to = _target(handover, to_user_id)
    now = now or utcnow()
    outcome = Outcome()
    for item in held_items(handover, kinds={wanted} if wanted else None):
        try:
            with db.session.begin_nested():
                _pass_on(actor, handover, item, to, now)
        except ForumError as error:
            reasons = "; ".join(error.fields.values()) if error.fields else error.message
            outcome.refused.append((item, reasons))
        else:
            outcome.reassigned.append(item)
    _notify(actor, handover, to, outcome.reassigned, now)
    logger.info(
        "hand-over %s: %d items passed to user %s, %d refused",
        handover.id,
        len(outcome.reassigned),
        to.id,
        len(outcome.refused),
    )
    return outcome


def parse_kind(value: ItemKind | str) -> ItemKind:
    try:
        return ItemKind(value)
    except ValueError:
        choices = ", ".join(kind.value for kind in ItemKind)
        raise Invalid(fields={"kind": f"Choose one of: {choices}."}) from None
