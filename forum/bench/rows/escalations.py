"""Rows for escalations in every state and their timelines."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from forum.accounts.models import Role
from forum.bench.rows.accounts import board_department
from forum.bench.shape import Person, PostShape, ThreadShape, can_see
from forum.escalations.models import EscalationState, EventKind, Urgency

# Shares of the escalations still open and acknowledged; the rest are resolved.
OPEN_SHARE = 0.25
ACKNOWLEDGED_SHARE = 0.15


def escalations(
    rng: random.Random,
    count: int,
    threads: list[ThreadShape],
    posts: list[PostShape],
    staff: list[Person],
    now: dt.datetime,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`count` escalations and their events. The database allows one unresolved escalation per
    thread, so at most one per thread is open or acknowledged; resolved ones may repeat."""
    seniors = [p for p in staff if p.role in (Role.SENIOR, Role.ADMIN) and p.is_active]
    unresolved = min(len(threads), int(count * (OPEN_SHARE + ACKNOWLEDGED_SHARE)))
    unresolved_threads = rng.sample(threads, unresolved)
    urgencies = [u.value for u in Urgency]
    rows: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for number in range(1, count + 1):
        if number <= unresolved:
            thread = unresolved_threads[number - 1]
            state = (
                EscalationState.OPEN
                if number <= unresolved * OPEN_SHARE / (OPEN_SHARE + ACKNOWLEDGED_SHARE)
                else EscalationState.ACKNOWLEDGED
            )
        else:
            thread, state = rng.choice(threads), EscalationState.RESOLVED
        post = posts[rng.choice(thread.post_ids) - 1]
        raiser = rng.choice([p for p in thread.cast if can_see(p, thread.board)])
        created = min(now, post.created_at + dt.timedelta(minutes=rng.randint(1, 240)))
        handler = rng.choice(seniors)
        acknowledged = (
            min(now, created + dt.timedelta(minutes=rng.expovariate(1 / 45)))
            if state is not EscalationState.OPEN
            else None
        )
        resolved = (
            min(now, (acknowledged or created) + dt.timedelta(minutes=rng.expovariate(1 / 300)))
            if state is EscalationState.RESOLVED
            else None
        )
        reason = "A resident's complaint is getting shared; we need a senior to agree a reply."
        note = "Replied publicly and moved the rest to DMs." if resolved else ""
        rows.append(
            {
                "id": number,
                "thread_id": thread.id,
                "post_id": post.id,
                "profile_id": None,
                "department_id": board_department(thread.board) or raiser.department + 1,
                "board_id": thread.board + 1,
                "reason": reason,
                "urgency": rng.choices(urgencies, weights=(6, 3, 1))[0],
                "state": state.value,
                "policy_id": None,
                "level": 1,
                "ladder_round": 0,
                "alert_wave": 1,
                "next_escalation_at": None,
                "created_by_id": raiser.id,
                "assigned_to_id": handler.id if rng.random() < 0.5 else None,
                "created_at": created,
                "updated_at": resolved or acknowledged or created,
                "acknowledged_at": acknowledged,
                "acknowledged_by_id": handler.id if acknowledged else None,
                "resolved_at": resolved,
                "resolved_by_id": handler.id if resolved else None,
                "resolution_post_id": None,
                "resolution_note": note,
            }
        )
        timeline = [(EventKind.OPENED, raiser.id, created, reason)]
        if acknowledged:
            timeline.append((EventKind.ACKNOWLEDGED, handler.id, acknowledged, ""))
        if resolved:
            timeline.append((EventKind.RESOLVED, handler.id, resolved, note))
        events += [
            {
                "escalation_id": number,
                "actor_id": actor,
                "kind": kind.value,
                "created_at": moment,
                "note": note,
                "details": {},
                "is_internal": False,
            }
            for kind, actor, moment, note in timeline
        ]
    return rows, events
