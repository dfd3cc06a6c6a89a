"""Every state change and non-trivial query of people, split by noun; import from here.

The list of skills and people's picks (`skills`), the directory and handles (`directory`), a
person's page (`pages`) and the numbers insights shows (`numbers`).
"""

from __future__ import annotations

from forum.people.services import numbers, skills
from forum.people.services.directory import (
    DirectoryFilters,
    DirectoryRow,
    directory,
    person_by_handle,
    picks_of_many,
)
from forum.people.services.pages import PersonPage, person_page

__all__ = [
    "DirectoryFilters",
    "DirectoryRow",
    "PersonPage",
    "directory",
    "numbers",
    "person_by_handle",
    "person_page",
    "picks_of_many",
    "skills",
]
