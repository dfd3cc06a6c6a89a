"""Request-independent security helpers: safe redirects, token hashing, input screening."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit


def safe_next_url(target: str | None, default: str = "/") -> str:
    """Return target if it is a same-site relative path, else default.

    Rejects absolute URLs, scheme-relative `//host`, backslash tricks browsers normalise to `//`,
    and control characters.
    """
    if not target or not isinstance(target, str):
        return default
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target) or "\\" in target:
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random secret for links and API tokens."""
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """Tokens are stored as SHA-256 digests: high-entropy secrets need no slow hash."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find_unstorable(
    values: Mapping[str, Any] | Iterable[tuple[str, Any]], max_length: int
) -> dict[str, str]:
    """Field messages for text no database column can hold: NUL characters or oversize values."""
    problems: dict[str, str] = {}
    items = values.items() if isinstance(values, Mapping) else values

    def visit(name: str, value: Any) -> None:
        if isinstance(value, str):
            if "\x00" in value:
                problems[name] = "Contains a NUL character, which cannot be stored."
            elif len(value) > max_length:
                problems[name] = f"Is longer than {max_length} characters."
            elif any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
                problems[name] = "Contains invalid Unicode (a lone surrogate)."
        elif isinstance(value, Mapping):
            for key, inner in value.items():
                visit(f"{name}.{key}" if name else str(key), inner)
                if isinstance(key, str) and "\x00" in key:
                    problems[name or "body"] = "Contains a NUL character, which cannot be stored."
        elif isinstance(value, list | tuple):
            for index, inner in enumerate(value):
                visit(f"{name}[{index}]", inner)

    for key, value in items:
        visit(key, value)
    return problems
