"""Cross-links: threads and escalations that reference a profile, and the profile's history.

Threads are linked through this capability's own `profile_thread_links` table, using the
boards services to check the thread is visible. Escalations (a higher capability) contribute
their list through `register_reference_provider`, so the registry never imports them.

History entries about linked threads store only the thread's id ("#13") and are named for each
reader by the boards' disclosure rule when shown: the title for those who may see the thread,
"a thread you cannot see" for everyone else.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from forum.accounts.models import User
from forum.boards import services as boards_services
from forum.boards.models import Thread
from forum.core.db import utcnow
from forum.core.errors import Invalid, NotFound, NotPermitted
from forum.core.ids import parse_id
from forum.extensions import db
from forum.registry import permissions
from forum.registry.models import ProfileChange, ProfileThreadLink, SocialProfile
from forum.registry.services.lookup import lookup
from forum.registry.services.profiles import get_profile

logger = logging.getLogger(__name__)

_PROVIDERS_KEY = "registry.reference_providers"
_THREAD_REF = re.compile(r"(?:^|/t/)(\d+)(?:-[^/?#]*)?(?:[/?#].*)?$")
# History fields whose before/after value names a thread, as "#<id>" (older rows: "#<id> title").
_THREAD_FIELDS = frozenset({"thread_linked", "thread_unlinked"})
_HISTORY_THREAD = re.compile(r"^#(\d+)")


@dataclass(frozen=True)
class ProfileReference:
    """Something elsewhere in the forum that names a profile."""

    kind: str  # "thread", "escalation", ...
    title: str
    url: str  # site-relative
    detail: str = ""
    created_at: dt.datetime | None = None
    # The referencing object's id (a thread id for kind "thread"), when there is one.
    ref_id: int | None = None


ReferenceProvider = Callable[[SocialProfile, User], Iterable[ProfileReference]]


def register_reference_provider(app: Flask, provider: ReferenceProvider) -> None:
    """Let another capability list what references a profile (called from its init_app).

    `provider(profile, viewer)` returns ProfileReference items the viewer may see.
    """
    app.extensions.setdefault(_PROVIDERS_KEY, []).append(provider)


def profile_for_reference(profile_id: int, user: User) -> SocialProfile:
    """The profile a thread or escalation wants to reference; NotFound when there is none
    (or the user is not an active member of staff, who may not see the register)."""
    if not permissions.can_propose(user):
        raise NotFound("No profile with that id.")
    return get_profile(profile_id)


def profile_named(value: str, user: User) -> SocialProfile:
    """The registered profile that `value` names (its number, any form of its address, or its
    handle), for an escalation or thread to reference; NotFound when none does."""
    value = (value or "").strip()
    number = parse_id(value) if value.isdigit() else None
    if number is not None:
        return profile_for_reference(number, user)
    if not permissions.can_propose(user):
        raise NotFound("No profile with that id.")
    found = lookup(value)
    if not found:
        raise NotFound("That is not one of our registered accounts.")
    return found[0]


def profile_suggestions(user: User) -> list[SocialProfile]:
    """What a profile field suggests as people type: every profile in the register, by name."""
    if not permissions.can_propose(user):
        return []
    return list(
        db.session.scalars(
            select(SocialProfile)
            .options(selectinload(SocialProfile.platform))
            .order_by(SocialProfile.display_name, SocialProfile.id)
        )
    )


def parse_thread_reference(value: str) -> int:
    """A thread id from "42", "/t/42-some-title" or a full thread URL; Invalid otherwise."""
    match = _THREAD_REF.search((value or "").strip())
    thread_id = parse_id(match.group(1)) if match else None
    if thread_id is None:
        raise Invalid(fields={"thread": "Paste the thread's address or number."})
    return thread_id


def link_thread(
    profile: SocialProfile, thread_id: int, by: User, *, now: dt.datetime | None = None
) -> ProfileThreadLink:
    """Record that a thread references the profile; linking twice is one link. Anyone who can
    see the thread may link it. Raises NotFound when the thread is missing or hidden."""
    if not permissions.can_propose(by):
        raise NotPermitted("Sign in with an active account to link threads.")
    thread = boards_services.get_visible_thread(by, thread_id)
    existing = db.session.get(ProfileThreadLink, (profile.id, thread.id))
    if existing is not None:
        return existing
    now = now or utcnow()
    link = ProfileThreadLink(
        profile_id=profile.id, thread_id=thread.id, created_by=by, created_at=now
    )
    db.session.add(link)
    db.session.add(
        ProfileChange(
            profile_id=profile.id,
            changed_by=by,
            changed_at=now,
            field="thread_linked",
            before=None,
            # Only the id: the title is looked up for each reader when the history is shown.
            after=f"#{thread.id}",
        )
    )
    db.session.flush()
    return link


def unlink_thread(
    profile: SocialProfile, thread_id: int, by: User, *, now: dt.datetime | None = None
) -> None:
    """Remove a thread link: whoever made it, or anyone who may edit the profile."""
    link = db.session.get(ProfileThreadLink, (profile.id, thread_id))
    if link is None:
        raise NotFound("That thread is not linked to this profile.")
    if link.created_by_id != by.id and not permissions.can_edit(by, profile):
        raise NotPermitted("Only whoever linked it or the profile's editors may unlink it.")
    db.session.delete(link)
    db.session.add(
        ProfileChange(
            profile_id=profile.id,
            changed_by=by,
            changed_at=now or utcnow(),
            field="thread_unlinked",
            before=f"#{thread_id}",
            after=None,
        )
    )
    db.session.flush()


def threads_for_profile(profile: SocialProfile, user: User) -> list[Thread]:
    """Linked threads the user may see, newest link first."""
    links = db.session.scalars(
        select(ProfileThreadLink)
        .where(ProfileThreadLink.profile_id == profile.id)
        .order_by(ProfileThreadLink.created_at.desc())
    )
    threads = []
    for link in links:
        try:
            threads.append(boards_services.get_visible_thread(user, link.thread_id))
        except NotFound:
            continue
    return threads


def references_for(profile: SocialProfile, user: User) -> list[ProfileReference]:
    """Everything that references the profile and the user may see: linked threads, then
    whatever registered providers (escalations) contribute."""
    references = [
        ProfileReference(
            kind="thread",
            title=thread.title,
            url=boards_services.thread_path(thread),
            detail=thread.board.name,
            created_at=thread.created_at,
            ref_id=thread.id,
        )
        for thread in threads_for_profile(profile, user)
    ]
    for provider in current_app.extensions.get(_PROVIDERS_KEY, []):
        try:
            references.extend(provider(profile, user))
        except Exception:
            # Another capability's bug must not take the profile page down with it.
            logger.exception("registry reference provider %r failed", provider)
    return references


# --- History ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangeView:
    """One history entry as one reader may see it."""

    id: int
    field: str
    before: str | None
    after: str | None
    changed_by: User | None
    changed_at: dt.datetime

    @property
    def before_time(self) -> dt.date | dt.datetime | None:
        """The value before, when it is a date or a time (pages show it with `when`)."""
        return _moment(self.before)

    @property
    def after_time(self) -> dt.date | dt.datetime | None:
        """The value after, when it is a date or a time (pages show it with `when`)."""
        return _moment(self.after)


# Dates and times are written in the history as ISO text (profiles._display); the API keeps
# that text, pages show it in the reader's time zone.
_ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?)?")


def _moment(value: str | None) -> dt.date | dt.datetime | None:
    if value is None or not _ISO_MOMENT.fullmatch(value):
        return None
    try:
        if "T" in value:
            return dt.datetime.fromisoformat(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _thread_id(value: str | None) -> int | None:
    match = _HISTORY_THREAD.match(value or "")
    return int(match.group(1)) if match else None


def history(profile: SocialProfile, viewer: User | None) -> list[ChangeView]:
    """Every recorded change of the profile, newest first, as `viewer` may see it: an entry
    naming a thread shows "#id title" when the viewer may see that thread, and only "a thread
    you cannot see" otherwise (boards' disclosure rule)."""
    changes = list(
        db.session.scalars(
            select(ProfileChange)
            .where(ProfileChange.profile_id == profile.id)
            .options(selectinload(ProfileChange.changed_by))
            .order_by(ProfileChange.changed_at.desc(), ProfileChange.id.desc())
        )
    )
    named = {
        thread_id
        for c in changes
        if c.field in _THREAD_FIELDS
        for thread_id in (_thread_id(c.before), _thread_id(c.after))
        if thread_id is not None
    }
    mentions = boards_services.describe_thread_ids(viewer, named)

    def shown(change: ProfileChange, value: str | None) -> str | None:
        thread_id = _thread_id(value) if change.field in _THREAD_FIELDS else None
        if thread_id is None:
            return value
        mention = mentions[thread_id]
        return f"#{thread_id} {mention.title}" if mention.visible else mention.title

    return [
        ChangeView(
            id=c.id,
            field=c.field,
            before=shown(c, c.before),
            after=shown(c, c.after),
            changed_by=c.changed_by,
            changed_at=c.changed_at,
        )
        for c in changes
    ]
