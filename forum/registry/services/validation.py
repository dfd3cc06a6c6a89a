"""Turning raw profile fields (from a form, JSON or a CSV row) into checked values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from forum.accounts import services as account_services
from forum.accounts.models import Department, User
from forum.core.errors import Invalid
from forum.registry.canonical import CanonicalError, canonicalize, handle_key
from forum.registry.models import EngagementMode, Platform, ProfilePurpose, SocialProfile
from forum.registry.services.credentials import secret_problem
from forum.registry.services.platforms import platform_by_slug

# Every editable field, in the order forms, CSV columns and history show them.
FIELDS: tuple[str, ...] = (
    "platform",
    "url",
    "handle",
    "platform_account_id",
    "display_name",
    "department",
    "purpose",
    "starts_on",
    "ends_on",
    "engagement_mode",
    "description",
    "audience_size",
    "audience_counted_on",
    "owner",
    "backup_owner",
    "review_interval_months",
    "credentials_note",
    "activity_note",
)

MAX_LENGTHS = {
    "url": 500,
    "handle": 200,
    "platform_account_id": 200,
    "display_name": 200,
    "description": 5000,
    "credentials_note": 2000,
    "activity_note": 2000,
}


@dataclass
class Lookups:
    """Platforms by slug, departments by slug and people by email, loaded in bulk.

    Checking thousands of rows (an import) then costs a few queries in all rather than
    several per row. A key that is absent means "no such platform/department/person".
    """

    platforms: dict[str, Platform] = field(default_factory=dict)
    departments: dict[str, Department] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


def _find_platform(slug: str, lookups: Lookups | None) -> Platform | None:
    if lookups is None:
        return platform_by_slug(slug)
    return lookups.platforms.get(slug.strip().lower())


def _find_department(slug: str, lookups: Lookups | None) -> Department | None:
    if lookups is None:
        return account_services.department_by_slug(slug)
    return lookups.departments.get(slug)


def _find_user(email: str, lookups: Lookups | None) -> User | None:
    if lookups is None:
        return account_services.user_by_email(email)
    return lookups.users.get(email)


@dataclass
class CleanProfile:
    """Checked values for every editable field, with the canonical form worked out."""

    platform: Platform
    url: str
    canonical_url: str
    handle: str
    handle_key: str
    platform_account_id: str | None
    display_name: str
    department: Department
    purpose: ProfilePurpose
    starts_on: dt.date | None
    ends_on: dt.date | None
    engagement_mode: EngagementMode
    description: str
    audience_size: int | None
    audience_counted_on: dt.date | None
    owner: User | None
    backup_owner: User | None
    review_interval_months: int
    credentials_note: str
    activity_note: str


def current_values(profile: SocialProfile) -> dict[str, Any]:
    """A profile's editable fields in raw form (slugs, emails, dates): what `clean` accepts."""
    return {
        "platform": profile.platform.slug,
        "url": profile.url,
        "handle": profile.handle,
        "platform_account_id": profile.platform_account_id or "",
        "display_name": profile.display_name,
        "department": profile.department.slug,
        "purpose": str(profile.purpose),
        "starts_on": profile.starts_on,
        "ends_on": profile.ends_on,
        "engagement_mode": str(profile.engagement_mode),
        "description": profile.description or "",
        "audience_size": profile.audience_size,
        "audience_counted_on": profile.audience_counted_on,
        "owner": profile.owner.email if profile.owner else "",
        "backup_owner": profile.backup_owner.email if profile.backup_owner else "",
        "review_interval_months": profile.review_interval_months,
        "credentials_note": profile.credentials_note or "",
        "activity_note": profile.activity_note or "",
    }


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _date(value: Any, field: str, errors: dict[str, str]) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[field] = "Use a date like 2026-03-31."
        return None


def _int(value: Any, field: str, errors: dict[str, str], *, low: int, high: int) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip().replace(",", "")) if not isinstance(value, int) else value
    except ValueError:
        errors[field] = "Enter a whole number."
        return None
    if isinstance(number, bool) or not low <= number <= high:
        errors[field] = f"Enter a number from {low} to {high:,}."
        return None
    return number


def _choice(
    enum_type: type[Any], value: Any, field: str, errors: dict[str, str], default: Any
) -> Any:
    text = _text(value)
    if not text:
        return default
    try:
        return enum_type(text.lower())
    except ValueError:
        errors[field] = "Choose one of: " + ", ".join(member.value for member in enum_type) + "."
        return default


def _person(
    value: Any, field: str, errors: dict[str, str], current: User | None, lookups: Lookups | None
) -> User | None:
    if isinstance(value, User):
        return value
    email = _text(value).lower()
    if not email:
        return None
    if current is not None and current.email == email:
        return current
    user = _find_user(email, lookups)
    if user is None:
        errors[field] = f"No member of staff has the email {email}."
    elif not user.is_active:
        errors[field] = f"{user.display_name}'s account is deactivated."
    return user


def clean(
    values: Mapping[str, Any],
    *,
    current: SocialProfile | None = None,
    lookups: Lookups | None = None,
) -> CleanProfile:
    """Check every field together; Invalid lists every problem at once, nothing is written.

    `values` holds raw values: platform and department by slug (or model), owners by email
    (or User), dates as date or ISO text, numbers as int or text. An owner who was already
    set on `current` may be deactivated (the profile then needs attention); a newly chosen one
    may not. With `lookups`, slugs and emails are resolved from it instead of the database.
    """
    errors: dict[str, str] = {}
    for name, limit in MAX_LENGTHS.items():
        if len(_text(values.get(name))) > limit:
            errors[name] = f"Use at most {limit} characters."

    platform_value = values.get("platform")
    platform: Platform | None = (
        platform_value
        if isinstance(platform_value, Platform)
        else _find_platform(_text(platform_value), lookups)
    )
    if platform is None:
        errors["platform"] = (
            "Choose a platform."
            if not _text(platform_value)
            else f"Unknown platform {_text(platform_value)!r}."
        )

    department_value = values.get("department")
    department: Department | None = (
        department_value
        if isinstance(department_value, Department)
        else _find_department(_text(department_value).lower(), lookups)
    )
    if department is None:
        errors["department"] = (
            "Choose a department."
            if not _text(department_value)
            else f"No department with slug {_text(department_value)!r}."
        )

    display_name = _text(values.get("display_name"))
    if not display_name:
        errors["display_name"] = "Enter the account's display name."

    url = _text(values.get("url"))
    handle = _text(values.get("handle"))
    account_id = _text(values.get("platform_account_id")) or None
    canonical_url = ""
    derived_handle: str | None = None
    if platform is not None and "url" not in errors and "handle" not in errors:
        source, field = (url, "url") if url else (handle, "handle")
        if not source:
            errors["url"] = "Enter the account's URL or handle."
        else:
            try:
                canonical = canonicalize(platform.slug, source)
            except CanonicalError as exc:
                errors[field] = f"{exc} (platform: {platform.name})" if field == "url" else str(exc)
            else:
                canonical_url = canonical.url
                derived_handle = canonical.handle
                url = url or canonical.url
                if handle and field == "url" and canonical.handle is not None:
                    _check_handle_matches(platform.slug, handle, canonical.url, errors)
                if account_id and platform.slug == "bluesky":
                    account_id = account_id.lower()
                if canonical.account_id and account_id and canonical.account_id != account_id:
                    errors["platform_account_id"] = (
                        f"The URL belongs to account id {canonical.account_id}."
                    )
                account_id = account_id or canonical.account_id
    handle = handle or derived_handle or account_id or ""

    purpose = _choice(
        ProfilePurpose, values.get("purpose"), "purpose", errors, ProfilePurpose.BUSINESS_AS_USUAL
    )
    engagement = _choice(
        EngagementMode,
        values.get("engagement_mode"),
        "engagement_mode",
        errors,
        EngagementMode.COMMUNICATING,
    )
    starts_on = _date(values.get("starts_on"), "starts_on", errors)
    ends_on = _date(values.get("ends_on"), "ends_on", errors)
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "The end date is before the start date."
    audience_size = _int(
        values.get("audience_size"), "audience_size", errors, low=0, high=10_000_000_000
    )
    audience_counted_on = _date(values.get("audience_counted_on"), "audience_counted_on", errors)
    interval = _int(
        values.get("review_interval_months"), "review_interval_months", errors, low=1, high=36
    )

    owner = _person(
        values.get("owner"),
        "owner",
        errors,
        current.owner if current is not None else None,
        lookups,
    )
    backup = _person(
        values.get("backup_owner"),
        "backup_owner",
        errors,
        current.backup_owner if current is not None else None,
        lookups,
    )
    if owner is not None and backup is not None and owner.id == backup.id:
        errors["backup_owner"] = "Choose someone other than the owner as backup."

    credentials_note = _text(values.get("credentials_note"))
    problem = secret_problem(credentials_note)
    if problem:
        errors["credentials_note"] = problem

    if errors or platform is None or department is None:
        raise Invalid("Some fields need attention.", fields=errors)
    return CleanProfile(
        platform=platform,
        url=url,
        canonical_url=canonical_url,
        handle=handle,
        handle_key=handle_key(handle) if handle else "",
        platform_account_id=account_id,
        display_name=display_name,
        department=department,
        purpose=purpose,
        starts_on=starts_on,
        ends_on=ends_on,
        engagement_mode=engagement,
        description=_text(values.get("description")),
        audience_size=audience_size,
        audience_counted_on=audience_counted_on,
        owner=owner,
        backup_owner=backup,
        review_interval_months=interval or 6,
        credentials_note=credentials_note,
        activity_note=_text(values.get("activity_note")),
    )


def _check_handle_matches(platform: str, handle: str, url: str, errors: dict[str, str]) -> None:
    """A handle typed beside a URL must name the same account (when it can be read alone)."""
    try:
        from_handle = canonicalize(platform, handle)
    except CanonicalError:
        return
    if from_handle.url != url:
        errors["handle"] = f"The URL is for a different account ({url})."
