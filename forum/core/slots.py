"""Slots: places in a page that another capability fills, so the page never imports it.

A lower capability's page (or the base layout) offers a slot by name and renders whatever
`fill(name, ...)` returns; a higher capability registers a provider for it in its `init_app`.
The provider loads what it shows (the template runs no query) and returns the HTML of its own
partial, or None to show nothing. The arrow stays lower ← higher: boards never import escalations,
the base layout never includes an alerts partial.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from markupsafe import Markup

Provider = Callable[..., str | None]

# The slots pages offer, and the keyword arguments their providers receive.
HEADER = "header"  # base.html, after the navigation links of a signed-in person: user
THREAD_PANELS = "boards.thread_panels"  # the thread page, above the posts: thread, viewer
REGISTRY_ATTENTION = "registry.attention"  # the registry's list, by "Needs attention": viewer
# Inside the new-thread and reply forms, under the text: user, errors (field -> message).
COMPOSER = "boards.composer"


def register(app: Flask, slot: str, provider: Provider, *, order: int = 50) -> None:
    """Have `provider` fill `slot` on every page that offers it (lower `order` first)."""
    providers = app.extensions.setdefault("forum.slots", {}).setdefault(slot, [])
    providers.append((order, provider))
    providers.sort(key=lambda item: item[0])


def fill(slot: str, **context: Any) -> list[Markup]:
    """What the providers of `slot` render for this page, in order; nothing when none is
    registered. Call it from the view (or a context processor), never from a template."""
    rendered = []
    for _order, provider in current_app.extensions.get("forum.slots", {}).get(slot, ()):
        html = provider(**context)
        if html:
            rendered.append(Markup(html))  # noqa: S704  (a provider's own rendered template)
    return rendered


def render(template_name: str, **context: Any) -> str:
    """A provider's partial, rendered without Flask's context processors and signals.

    The page around it runs them once; a partial that ran them again (the header's chrome,
    the current person) cost about a tenth of a millisecond per slot on every page. A partial
    has the Jinja globals (`url_for`, `request`, `csrf_token`...) and what it is given.
    """
    return str(current_app.jinja_env.get_template(template_name).render(context))
