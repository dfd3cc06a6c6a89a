"""What hand-overs show on other capabilities' pages: the registry's needs-attention panel."""

from __future__ import annotations

from flask import render_template

from forum.accounts.models import User
from forum.handover import services


def registry_attention(*, viewer: User) -> str | None:
    """Open hand-overs in the registry's needs-attention area (the registry.attention slot),
    each with how many profile roles (owner, backup) the person still holds; None when none is
    open."""
    profile_kinds = {services.ItemKind.PROFILE_OWNER, services.ItemKind.PROFILE_BACKUP}
    rows = [
        (handover, len(services.held_items(handover, kinds=profile_kinds)))
        for handover in services.list_open()
    ]
    if not rows:
        return None
    return render_template("handover/_registry_attention.html", rows=rows, viewer=viewer)
