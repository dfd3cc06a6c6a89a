"""A small page object for listings, independent of Flask-SQLAlchemy's query pagination."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_number(raw: str | int | None) -> int:
    """Parse a ?page= value; anything that is not a positive integer means page 1."""
    try:
        value = int(raw or 1)
    except (TypeError, ValueError):
        return 1
    return max(1, min(value, 100_000))
