"""The fixed, ordered tuple of capabilities create_app wires in (lower layers first)."""

from __future__ import annotations

from forum import (
    accounts,
    alerts,
    api,
    bench,
    boards,
    demo,
    escalations,
    handover,
    insights,
    meetups,
    people,
    registry,
    search,
    uploads,
)

# `api` comes after every capability that adds /api/v1 routes, since it registers the blueprint.
# `demo` and `bench` only add CLI commands that seed the others.
ALL = (
    accounts,
    alerts,
    boards,
    uploads,
    registry,
    search,
    escalations,
    meetups,
    people,
    handover,
    insights,
    api,
    demo,
    bench,
)
