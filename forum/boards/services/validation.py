"""Field rules shared by threads and posts: kinds, titles, bodies, tags and slugs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from forum.boards.models import BODY_MAX, MAX_TAGS, TAG_MAX, TITLE_MAX, PostKind, Tag
from forum.extensions import db

_TAG_STRIP = re.compile(r"[^a-z0-9-]+")


def slugify(text: str, max_length: int = 80) -> str:
    """ASCII, lower-case, hyphen-separated; "thread" when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "thread"


def parse_kind(value: object, errors: dict[str, str]) -> PostKind | None:
    try:
        return PostKind(str(value or "").strip().lower())
    except ValueError:
        errors["kind"] = "Choose one of: " + ", ".join(k.value for k in PostKind) + "."
        return None


def clean_title(value: str | None, errors: dict[str, str]) -> str:
    title = " ".join((value or "").split())
    if not title:
        errors["title"] = "Enter a title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Use at most {TITLE_MAX} characters."
    return title


def clean_body(value: str | None, errors: dict[str, str], field: str = "body") -> str:
    body = (value or "").replace("\r\n", "\n").strip("\n")
    if not body.strip():
        errors[field] = "Write something first."
    elif len(body) > BODY_MAX:
        errors[field] = f"Use at most {BODY_MAX} characters."
    return body


def normalize_tag(raw: str) -> str:
    """`#Social Media` -> `social-media`: lower-case letters, digits and single hyphens."""
    ascii_text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode("ascii")
    text = ascii_text.strip().lstrip("#").lower().replace("_", "-").replace(" ", "-")
    return re.sub(r"-{2,}", "-", _TAG_STRIP.sub("", text)).strip("-")


def clean_tags(values: Iterable[str] | str | None, errors: dict[str, str]) -> list[str]:
    """Distinct normalized tags, in the order given; errors for too many or too long."""
    if values is None:
        return []
    if isinstance(values, str):
        values = values.split(",")
    names: list[str] = []
    for raw in values:
        if not isinstance(raw, str):
            errors["tags"] = "Tags must be text."
            return []
        name = normalize_tag(raw)
        if not name:
            continue
        if len(name) > TAG_MAX:
            errors["tags"] = f"Keep each tag under {TAG_MAX} characters."
            return []
        if name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        errors["tags"] = f"Use at most {MAX_TAGS} tags."
        return []
    return names


def tags_for(names: list[str]) -> list[Tag]:
    """The Tag rows for `names`, creating the missing ones."""
    if not names:
        return []
    existing = {t.name: t for t in db.session.scalars(select(Tag).where(Tag.name.in_(names)))}
    tags = []
    for name in names:
        tag = existing.get(name)
        if tag is None:
            tag = _create_tag(name)
            existing[name] = tag
        tags.append(tag)
    return tags


def dialect_insert(model: type) -> Any:
    """INSERT that supports ON CONFLICT on both SQLite and PostgreSQL.

    Used instead of savepoints for "insert unless it exists", so concurrent requests never fail
    on a unique constraint and no nested commit happens inside the caller's transaction.
    """
    dialect = db.session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model)


def _create_tag(name: str) -> Tag:
    # When another request created the same tag a moment ago, use theirs.
    db.session.execute(dialect_insert(Tag).values(name=name).on_conflict_do_nothing())
    return db.session.execute(select(Tag).where(Tag.name == name)).scalar_one()
