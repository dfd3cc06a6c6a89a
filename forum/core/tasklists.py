"""Task lists in posts: a list item that starts "[ ] " or "[x] " shows a read-only checkbox.

The markup policy calls these while it rebuilds a document's tokens; the checkbox is a constant
piece of HTML, so nothing from the post reaches it.
"""

from __future__ import annotations

import re

from markdown_it.token import Token

_MARKER = re.compile(r"\[([ xX])\] ")
_CHECKBOX = {
    False: '<input type="checkbox" class="task-box" disabled> ',
    True: '<input type="checkbox" class="task-box" disabled checked> ',
}


def mark_task(item: Token, following: list[Token]) -> None:
    """Note on a list item (given the two tokens after it) whether it is a task, and done."""
    if len(following) == 2 and following[0].type == "paragraph_open":
        inline = following[1]
        children = inline.children or [] if inline.type == "inline" else []
        first = children[0] if children else None
        if first is not None and first.type == "text":
            match = _MARKER.match(first.content)
            if match:
                item.meta = {**(item.meta or {}), "task": match.group(1) != " "}


def task_of(token: Token | None) -> bool | None:
    """Whether a list item is a done task (True), an open one (False), or no task (None)."""
    if token is None or token.type != "list_item_open" or not token.meta:
        return None
    task = token.meta.get("task")
    return task if isinstance(task, bool) else None


def strip_marker(inline: Token) -> None:
    """Remove the "[ ] " the checkbox replaces from the item's text."""
    first = (inline.children or [])[0]
    first.content = _MARKER.sub("", first.content, count=1)


def checkbox(*, done: bool) -> Token:
    box = Token("html_inline", "", 0)
    box.content = _CHECKBOX[done]
    return box
