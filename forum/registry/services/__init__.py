"""Every state change and non-trivial query of the registry, split by noun."""

from __future__ import annotations

from forum.registry.services.platforms import ensure_platforms, list_platforms, platform_by_slug

__all__ = ["ensure_platforms", "list_platforms", "platform_by_slug"]
