"""The fixed, ordered tuple of capabilities create_app wires in (lower layers first)."""

from __future__ import annotations

from forum import accounts, api, boards, demo

ALL = (accounts, boards, api, demo)
