"""Every state change and non-trivial query of escalations, split by noun; import from here.

Each function adds its timeline events and its alerts to the caller's transaction and never
commits; the caller (view, API route, CLI, worker) commits once. The lifecycle is re-exported
here (`services.escalate(...)`); the admin policies, the inbox, routing and the alerts are used
as submodules (`services.policies.save_policy(...)`, `services.inbox.counts(...)`).
"""

from __future__ import annotations

from forum.escalations.services import alerting, inbox, policies, routing
from forum.escalations.services.access import (
    UNRESOLVED,
    can_handle,
    can_reopen,
    can_view,
    get_escalation,
    open_escalation_for_thread,
    reporter_ids,
    status_line,
)
from forum.escalations.services.escalating import DEFAULT_PER_HOUR, escalate, parse_urgency
from forum.escalations.services.handling import (
    acknowledge,
    on_post_created,
    on_thread_moved,
    reassign,
    reopen,
    resolve,
    resolve_by_reply,
)
from forum.escalations.services.ladder import advance_ladder
from forum.escalations.services.timeline import add_note, timeline

__all__ = [
    "DEFAULT_PER_HOUR",
    "UNRESOLVED",
    "acknowledge",
    "add_note",
    "advance_ladder",
    "alerting",
    "can_handle",
    "can_reopen",
    "can_view",
    "escalate",
    "get_escalation",
    "inbox",
    "on_post_created",
    "on_thread_moved",
    "open_escalation_for_thread",
    "parse_urgency",
    "policies",
    "reassign",
    "reopen",
    "reporter_ids",
    "resolve",
    "resolve_by_reply",
    "routing",
    "status_line",
    "timeline",
]
