"""The header every signed-in page shows: the navigation links capabilities register, the
header slot (the alerts bell and the like), and the /admin page that lists admin links."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, has_request_context, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from forum.core import slots
from forum.core.errors import NotPermitted


def register_nav(
    app: Flask,
    label: str,
    endpoint: str,
    *,
    order: int,
    visible: Callable[[Any], bool] | None = None,
    section: str = "main",
) -> None:
    """Add a navigation link; `visible(user) -> bool` hides it from people it is not for.

    `section="admin"` links are listed on the /admin page instead of the header, which keeps
    the header short on a phone; the header then shows one "Admin" link.
    """
    app.extensions.setdefault("forum.nav", []).append((order, label, endpoint, visible, section))


def page_chrome() -> dict[str, Any]:
    """What base.html shows around a signed-in person's page, loaded once per request here (the
    template runs no query): the navigation links and the header slot (the alerts bell)."""
    if not has_request_context() or not getattr(current_user, "is_authenticated", False):
        return {"nav": [], "header_slots": []}
    chrome: dict[str, Any] | None = g.get("forum_page_chrome")
    if chrome is None:
        # Set first: a provider rendering its own partial comes back here and gets no chrome.
        g.forum_page_chrome = {"nav": [], "header_slots": []}
        # The person, not the proxy: each attribute read through the proxy costs a lookup.
        user = current_user._get_current_object()  # type: ignore[attr-defined]
        chrome = {
            "nav": _nav_items(user),
            "header_slots": slots.fill(slots.HEADER, user=user),
        }
        g.forum_page_chrome = chrome
    return chrome


def _nav_items(user: object) -> list[dict[str, str]]:
    """The header's links `user` may follow, and one "Admin" link when any admin page is theirs."""
    items = []
    has_admin_pages = False
    for _order, label, endpoint, visible, section in _sorted_nav():
        if visible is not None and not visible(user):
            continue
        if section == "main":
            items.append({"label": label, "url": fixed_url(endpoint)})
        elif section == "admin":
            has_admin_pages = True
    if has_admin_pages:
        items.append({"label": "Admin", "url": fixed_url("admin_hub")})
    return items


def _sorted_nav() -> list[tuple[int, str, str, Callable[[Any], bool] | None, str]]:
    entries = current_app.extensions.get("forum.nav", [])
    cached = current_app.extensions.get("forum.nav_sorted")
    if cached is None or cached[0] is not entries or cached[1] != len(entries):
        cached = (entries, len(entries), sorted(entries, key=lambda item: item[0]))
        current_app.extensions["forum.nav_sorted"] = cached
    return list(cached[2])


def fixed_url(endpoint: str, **values: Any) -> str:
    """url_for of an address that is the same on every page (a stylesheet, the header's links),
    built once per script root: base.html names about fifteen, and url_for for each on every
    request showed in profiles. Only for constant arguments, never a reader's or an object's."""
    urls: dict[tuple[str, str, tuple[tuple[str, Any], ...]], str] = (
        current_app.extensions.setdefault("forum.fixed_urls", {})
    )
    key = (request.script_root, endpoint, tuple(sorted(values.items())))
    url = urls.get(key)
    if url is None:
        url = urls[key] = url_for(endpoint, **values)
    return url


def admin_hub() -> ResponseReturnValue:
    """One page linking every administration page the person may use."""
    items = [
        {"label": label, "url": fixed_url(endpoint)}
        for _order, label, endpoint, visible, section in _sorted_nav()
        if section == "admin" and (visible is None or visible(current_user))
    ]
    if not items:
        raise NotPermitted("There are no administration pages for you.")
    return render_template("core/admin_hub.html", items=items)
