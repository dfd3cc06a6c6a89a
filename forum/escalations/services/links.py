"""One-click links in escalation alert emails: acknowledge, and open the thread signed in.

Each link belongs to the person the alert was sent to (accounts.services.email_links: signed
for them, single-use, EMAIL_LINK_HOURS, void after a password change or deactivation). It only
ever acts as that person: when someone else is signed in on the browser it does nothing, and
it does nothing either once that person may no longer do what it offers (they stopped being a
senior, the thread moved out of their sight). The links are described in the outbox payload
(alerting.alert_links) and made by the email channel while sending, so the outbox never
stores them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from forum.accounts.models import AuditAction, User
from forum.accounts.services import audit, email_links, twofactor
from forum.accounts.services.email_links import LinkClaim
from forum.boards.models import Thread
from forum.core.db import utcnow
from forum.core.errors import Conflict, NotPermitted
from forum.escalations.models import Escalation, EscalationState
from forum.escalations.services.access import can_handle, can_view
from forum.escalations.services.alerting import ACKNOWLEDGE, OPEN, may_read
from forum.escalations.services.handling import acknowledge
from forum.extensions import db

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class LinkView:
    """A usable link, for its confirm page: who it is for, the escalation, and whether that
    person may be told what it is about."""

    claim: LinkClaim
    escalation: Escalation
    readable: bool

    @property
    def recipient(self) -> User:
        return self.claim.user


def _signed_in(viewer: User | None) -> User | None:
    return viewer if viewer is not None and getattr(viewer, "is_authenticated", False) else None


def read_link(
    token: str, purpose: str, *, viewer: User | None, now: dt.datetime | None = None
) -> LinkView:
    """The link's confirm-page view; writes nothing (email clients may fetch it).

    Raises LinkRefused for an invalid, used, expired or void link; NotPermitted when someone
    else is signed in on this browser, or when its person may no longer do what it offers.
    """
    claim = email_links.read(token, purpose, now=now)
    signed_in = _signed_in(viewer)
    user = claim.user
    if signed_in is not None and signed_in.id != user.id:
        raise NotPermitted(
            f"This link was sent to {user.display_name}, and you are signed in as "
            f"{signed_in.display_name}: it does nothing for anyone else. Nothing was done."
        )
    escalation = db.session.get(Escalation, claim.subject_id)
    if escalation is None or not can_view(user, escalation):
        raise NotPermitted("This link no longer gives access to anything. Nothing was done.")
    readable = may_read(user, escalation)
    if purpose == ACKNOWLEDGE and not can_handle(user):
        raise NotPermitted("You can no longer acknowledge escalations. Nothing was done.")
    if purpose == OPEN and not readable:
        raise NotPermitted("This link no longer gives access to anything. Nothing was done.")
    return LinkView(claim, escalation, readable)


def already_handled(escalation: Escalation) -> str:
    """Why an escalation can no longer be acknowledged, naming who did (the confirm page
    formats the time itself)."""
    if escalation.state == EscalationState.RESOLVED:
        who = escalation.resolved_by.display_name if escalation.resolved_by else "someone"
        return f"This escalation was already resolved by {who}."
    who = escalation.acknowledged_by.display_name if escalation.acknowledged_by else "someone"
    return f"This escalation was already acknowledged by {who}."


def acknowledge_by_link(
    token: str, *, viewer: User | None, now: dt.datetime | None = None
) -> Escalation:
    """Acknowledge as the link's person (escalations.acknowledge: the ladder stops, the
    reporters are told), spend the link, and audit it.

    Raises what read_link raises, Conflict when the escalation is no longer open (the link
    stays unused), LinkRefused("used") when a concurrent request used it first.
    """
    now = now or utcnow()
    link = read_link(token, ACKNOWLEDGE, viewer=viewer, now=now)
    escalation = link.escalation
    if escalation.state != EscalationState.OPEN:
        raise Conflict(already_handled(escalation))
    email_links.spend(link.claim, now=now)
    acknowledge(escalation, actor=link.recipient, now=now)
    audit.record(
        AuditAction.ESCALATION_ACKNOWLEDGED_BY_LINK,
        link.recipient,
        ("escalation", escalation.id),
        now=now,
        signed_in=_signed_in(viewer) is not None,
    )
    logger.info(
        "escalation %s acknowledged by email link of user %s", escalation.id, link.recipient.id
    )
    return escalation


@dataclasses.dataclass(frozen=True)
class Opened:
    """A spent "open signed in" link: whom to sign in, the thread to show, and whether the
    browser must first pass that person's two-factor step."""

    user: User
    thread: Thread
    second_step: bool


def open_by_link(
    token: str,
    *,
    viewer: User | None,
    sign_in_links: bool,
    now: dt.datetime | None = None,
) -> Opened:
    """Spend an "open signed in" link and audit it, for the caller to sign the browser in as
    its person (already signed in as them: nothing to do) and show the thread. For a person
    with two-factor sign-in the link stands for the password only: `second_step` is set.

    Raises what read_link raises, and NotPermitted when sign-in links are turned off
    (`sign_in_links`, EMAIL_SIGN_IN_LINKS).
    """
    if not sign_in_links:
        raise NotPermitted("Signing in from an email link is turned off here. Sign in instead.")
    now = now or utcnow()
    link = read_link(token, OPEN, viewer=viewer, now=now)
    email_links.spend(link.claim, now=now)
    signed_in = _signed_in(viewer) is not None
    second_step = not signed_in and twofactor.is_enabled(link.recipient)
    audit.record(
        AuditAction.EMAIL_LINK_SIGN_IN,
        link.recipient,
        link.recipient,
        now=now,
        escalation_id=link.escalation.id,
        already_signed_in=signed_in,
        two_factor_step=second_step,
    )
    return Opened(link.recipient, link.escalation.thread, second_step)
