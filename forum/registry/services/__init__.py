"""Every state change and non-trivial query of the registry, split by noun; import from here.

Views, the API, the CLI and other capabilities call `services.<function>`.
"""

from __future__ import annotations

from forum.registry.services.attention import (
    ATTENTION_CODES,
    Attention,
    add_months,
    needs_attention,
    review_due_on,
)
from forum.registry.services.credentials import secret_problem
from forum.registry.services.csvio import (
    MAX_IMPORT_ROWS,
    export_csv,
    read_csv_upload,
    spreadsheet_safe,
    unescape_cell,
)
from forum.registry.services.duplicates import find_duplicate
from forum.registry.services.editing import update_profile
from forum.registry.services.importing import (
    IMPORT_BATCH_SIZE,
    ImportReport,
    RowResult,
    apply_import,
    check_import,
)
from forum.registry.services.listing import (
    SORT_LABELS,
    ProfileRow,
    attention_counts,
    list_profiles,
)
from forum.registry.services.lookup import Verdict, lookup, verdict
from forum.registry.services.platforms import ensure_platforms, list_platforms, platform_by_slug
from forum.registry.services.profiles import (
    describe,
    get_profile,
    profiles_held_by,
    register_profile,
)
from forum.registry.services.public import (
    PublicAnswer,
    PublicLookup,
    badge,
    badge_available,
    public_answer,
    public_lookup,
)
from forum.registry.services.references import (
    ChangeView,
    ProfileReference,
    history,
    link_thread,
    parse_thread_reference,
    profile_for_reference,
    profile_named,
    profile_suggestions,
    references_for,
    register_reference_provider,
    threads_for_profile,
    unlink_thread,
)
from forum.registry.services.reminders import send_review_reminders
from forum.registry.services.reviews import mark_reviewed, reviews
from forum.registry.services.status import (
    TRANSITIONS,
    allowed_transitions,
    approve_profile,
    archive_profile,
    change_status,
)
from forum.registry.services.validation import FIELDS, clean, current_values

__all__ = [
    "ATTENTION_CODES",
    "FIELDS",
    "IMPORT_BATCH_SIZE",
    "MAX_IMPORT_ROWS",
    "SORT_LABELS",
    "TRANSITIONS",
    "Attention",
    "ChangeView",
    "ImportReport",
    "ProfileReference",
    "ProfileRow",
    "PublicAnswer",
    "PublicLookup",
    "RowResult",
    "Verdict",
    "add_months",
    "allowed_transitions",
    "apply_import",
    "approve_profile",
    "archive_profile",
    "attention_counts",
    "badge",
    "badge_available",
    "change_status",
    "check_import",
    "clean",
    "current_values",
    "describe",
    "ensure_platforms",
    "export_csv",
    "find_duplicate",
    "get_profile",
    "history",
    "link_thread",
    "list_platforms",
    "list_profiles",
    "lookup",
    "mark_reviewed",
    "needs_attention",
    "parse_thread_reference",
    "platform_by_slug",
    "profile_for_reference",
    "profile_named",
    "profile_suggestions",
    "profiles_held_by",
    "public_answer",
    "public_lookup",
    "read_csv_upload",
    "references_for",
    "register_profile",
    "register_reference_provider",
    "review_due_on",
    "reviews",
    "secret_problem",
    "send_review_reminders",
    "spreadsheet_safe",
    "threads_for_profile",
    "unescape_cell",
    "unlink_thread",
    "update_profile",
    "verdict",
]
