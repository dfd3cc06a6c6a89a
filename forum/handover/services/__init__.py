"""Every state change and non-trivial query of hand-overs, split by noun; import from here.

Views, the API, the CLI and other capabilities (insights) call `services.<function>`.
"""

from __future__ import annotations

from forum.handover.services.handovers import (
    close_handover,
    get_handover,
    latest_handover_for,
    list_open,
    on_department_changed,
    on_user_deactivated,
    open_count,
    open_handover,
    open_handover_for,
)
from forum.handover.services.items import Item, ItemKind, held_items, scope
from forum.handover.services.reassigning import (
    Outcome,
    parse_kind,
    reassign_all,
    reassign_item,
)

__all__ = [
    "Item",
    "ItemKind",
    "Outcome",
    "close_handover",
    "get_handover",
    "held_items",
    "latest_handover_for",
    "list_open",
    "on_department_changed",
    "on_user_deactivated",
    "open_count",
    "open_handover",
    "open_handover_for",
    "parse_kind",
    "reassign_all",
    "reassign_item",
    "scope",
]
