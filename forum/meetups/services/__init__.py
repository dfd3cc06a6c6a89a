"""Every state change and non-trivial query of meet-ups, split by noun; import from here."""

from __future__ import annotations

from forum.meetups.services import follow_up, rsvps
from forum.meetups.services.follow_up import (
    on_thread_created,
    prompt_stories,
    send_reminders,
    story_for,
    story_form_url,
    wants_story,
)
from forum.meetups.services.meetups import (
    PAST_PER_PAGE,
    boards_to_organize_on,
    can_manage,
    cancel_meetup,
    create_meetup,
    get_visible_meetup,
    meetup_path,
    online_url_problem,
    past,
    readable_meetup_ids,
    upcoming,
    update_meetup,
)
from forum.meetups.services.rsvps import Counts, answer_of, counts_for, counts_of, going, set_answer

__all__ = [
    "PAST_PER_PAGE",
    "Counts",
    "answer_of",
    "boards_to_organize_on",
    "can_manage",
    "cancel_meetup",
    "counts_for",
    "counts_of",
    "create_meetup",
    "follow_up",
    "get_visible_meetup",
    "going",
    "meetup_path",
    "on_thread_created",
    "online_url_problem",
    "past",
    "prompt_stories",
    "readable_meetup_ids",
    "rsvps",
    "send_reminders",
    "set_answer",
    "story_for",
    "story_form_url",
    "upcoming",
    "update_meetup",
    "wants_story",
]
