"""The alerts an escalation causes, added to the caller's transaction (transactional outbox).

Nothing here sends: forum.alerts writes in-app notifications and outbox rows that its worker
delivers after the caller commits, so an escalation and its alerts commit or roll back together.

What an alert may say is decided per reader by the boards' disclosure rule: a person who may
see the thread gets its title, the reason and the details; anyone else (a named person of
another department at some level, a reporter the thread has since moved away from) is told only
that an escalation needs them (or changed), with its urgency and link. Webhook channels have an
unknown audience (disclosure.CHANNEL): they get the details only for threads on all-staff
boards, and otherwise the same bare "an escalation needs attention" with its link.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from flask import current_app

from forum.accounts.models import User
from forum.alerts import services as alert_services
from forum.boards import services as board_services
from forum.escalations.models import Escalation, EscalationEvent, EventKind
from forum.escalations.services.access import can_handle
from forum.escalations.services.routing import Recipient

logger = logging.getLogger(__name__)

KIND = "escalation"

ACKNOWLEDGE = "escalation.acknowledge"
OPEN = "escalation.open"
# Site-relative prefixes of the two routes (escalations.views); the token follows.
ACKNOWLEDGE_PATH = "/escalations/link/acknowledge/"
OPEN_PATH = "/escalations/link/open/"


def alert_links(escalation: Escalation, user: User, *, readable: bool) -> list[dict[str, Any]]:
    """The one-click links an alert email to `user` offers, as the payload describes them:
    acknowledge (to those who may), and open the thread signed in (to those who may read it,
    when EMAIL_SIGN_IN_LINKS allows). No token: the channel makes it."""
    links: list[dict[str, Any]] = []
    if can_handle(user):
        links.append(
            {
                "purpose": ACKNOWLEDGE,
                "ref": escalation.id,
                "user_id": user.id,
                "path": ACKNOWLEDGE_PATH,
                "label": "Acknowledge this escalation",
            }
        )
    if readable and current_app.config["EMAIL_SIGN_IN_LINKS"]:
        links.append(
            {
                "purpose": OPEN,
                "ref": escalation.id,
                "user_id": user.id,
                "path": OPEN_PATH,
                "label": "Open the thread (signs you in)",
            }
        )
    return links


def escalation_url(escalation: Escalation) -> str:
    """The site-relative link; the email channel makes it absolute with FORUM_BASE_URL."""
    return f"/escalations/{escalation.id}"


def subject_for(escalation: Escalation) -> str:
    return f"[{escalation.urgency_enum.label}] Escalation: {escalation.thread.title}"


def bare_subject(escalation: Escalation) -> str:
    """The subject for a reader who may not see the thread: it names nothing."""
    return f"[{escalation.urgency_enum.label}] An escalation needs you"


BARE_BODY = "An escalation needs you. Open it in the forum to see what it is about."


def may_read(reader: board_services.Reader, escalation: Escalation) -> bool:
    """True when `reader` may be told what the escalation is about (its thread's title, the
    reason, who raised it): the thread's visibility decides (boards' disclosure rule)."""
    return board_services.can_read_thread(reader, escalation.thread)


def _details(escalation: Escalation, *, level_label: str | None = None) -> dict[str, str]:
    details = {
        "Thread": escalation.thread.title,
        "Urgency": escalation.urgency_enum.label,
        "Reason": escalation.reason,
    }
    if escalation.department is not None:
        details["Department"] = escalation.department.name
    if escalation.created_by is not None:
        details["Escalated by"] = escalation.created_by.display_name
    if escalation.profile is not None:
        details["Profile"] = escalation.profile.handle or escalation.profile.display_name
    if level_label:
        details["Level"] = level_label
    return details


def alert_recipients(
    escalation: Escalation,
    people: list[Recipient],
    *,
    headline: str,
    level_label: str,
    now: dt.datetime,
) -> None:
    """Alert `people` (email at once, whatever their preference, plus in-app) and the
    policy's webhooks about the escalation; one new wave of dedupe keys. Each is told only
    what they may see (see the module rule); their email offers one-click links to
    acknowledge and to open the thread signed in (`alert_links`)."""
    escalation.alert_wave = (escalation.alert_wave or 0) + 1
    wave = escalation.alert_wave
    url = escalation_url(escalation)
    subject = subject_for(escalation)
    details = _details(escalation, level_label=level_label)
    body = f"{headline}\n\nReason: {escalation.reason}"
    for person in people:
        key = f"escalation:{escalation.id}:wave:{wave}:user:{person.user.id}"
        if not may_read(person.user, escalation):
            alert_services.notify_user(
                person.user,
                kind=KIND,
                title=bare_subject(escalation),
                body=BARE_BODY,
                url=url,
                dedupe_key=key,
                email=True,
                now=now,
                links=alert_links(escalation, person.user, readable=False),
            )
            continue
        extra = (
            f"\n\nYou are covering for {person.covering_for.display_name}, who is away."
            if person.covering_for is not None
            else ""
        )
        alert_services.notify_user(
            person.user,
            kind=KIND,
            title=subject,
            body=body + extra,
            url=url,
            dedupe_key=key,
            email=True,
            now=now,
            details=details,
            refs=board_services.thread_refs(escalation.thread),
            links=alert_links(escalation, person.user, readable=True),
        )
    _webhooks(
        escalation,
        event="escalation.alerted",
        title=subject,
        text=headline,
        fields=details,
        key=f"wave:{wave}",
        now=now,
    )
    logger.info(
        "escalation %s: %s alerted at %s (wave %s)", escalation.id, len(people), level_label, wave
    )


def notify_people(
    escalation: Escalation,
    people: list[User],
    *,
    title: str,
    body: str,
    bare: str,
    key: str,
    now: dt.datetime,
    email: bool | None = None,
) -> None:
    """Tell people (the escalating persons, a new assignee) what happened, in-app and by mail
    as they prefer (or as `email` forces). Someone who may not see the thread (it moved since)
    gets only `bare`, which must name nothing."""
    for person in people:
        readable = may_read(person, escalation)
        alert_services.notify_user(
            person,
            kind=KIND,
            title=title if readable else bare,
            body=body if readable else bare,
            url=escalation_url(escalation),
            dedupe_key=f"escalation:{escalation.id}:{key}:user:{person.id}",
            email=email,
            now=now,
            details=_details(escalation) if readable else None,
            refs=board_services.thread_refs(escalation.thread) if readable else None,
        )


def announce(
    escalation: Escalation, event: EscalationEvent, *, text: str, now: dt.datetime
) -> None:
    """Post a state change (acknowledged, resolved, reopened) to the policy's webhooks."""
    _webhooks(
        escalation,
        event=f"escalation.{event.kind}",
        title=f"{EventKind(event.kind).label}: {escalation.thread.title}",
        text=text,
        fields=_details(escalation),
        key=f"event:{event.id}",
        now=now,
        bare_title=f"{EventKind(event.kind).label}: an escalation",
    )


def _webhooks(
    escalation: Escalation,
    *,
    event: str,
    title: str,
    text: str,
    fields: dict[str, str],
    key: str,
    now: dt.datetime,
    bare_title: str | None = None,
) -> None:
    policy = escalation.policy
    if policy is None:
        return
    payload: dict[str, Any] = {
        "event": event,
        "url": escalation_url(escalation),
        "escalation_id": escalation.id,
        "urgency": str(escalation.urgency),
        "state": str(escalation.state),
        "level": escalation.level,
    }
    if may_read(board_services.CHANNEL, escalation):
        payload.update(title=title, text=text, fields=fields, thread_id=escalation.thread_id)
    else:
        # A channel's readers are unknown: a department-only thread is not named at all.
        payload.update(
            title=bare_title or f"[{escalation.urgency_enum.label}] An escalation needs attention",
            text="An escalation needs attention. Open it in the forum to see what it is about.",
            fields={"Urgency": escalation.urgency_enum.label},
        )
    for endpoint in policy.webhook_endpoints:
        if endpoint.is_active:
            alert_services.enqueue_webhook(
                endpoint,
                payload,
                dedupe_key=f"escalation:{escalation.id}:{key}:webhook:{endpoint.id}",
                now=now,
            )
