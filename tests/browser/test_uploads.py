"""Uploads in the composer with scripts on: a chosen, pasted or dropped image is uploaded at once
(with the form's CSRF token) and its Markdown goes into the text; the reply then shows it."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.boards.factories import make_board, make_thread
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, make_user
from tests.uploads.images import png

pytestmark = pytest.mark.browser

# Make a File from base64 PNG bytes and send it to the reply text as `kind` (paste or drop).
SEND_FILE = """([kind, data]) => {
  const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
  const file = new File([bytes], "screenshot.png", {type: "image/png"});
  const transfer = new DataTransfer();
  transfer.items.add(file);
  const text = document.querySelector("[data-reply-form] textarea");
  text.focus();
  const event = kind === "paste"
    ? new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true, cancelable: true})
    : new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true});
  text.dispatchEvent(event);
}"""


def test_chosen_pasted_and_dropped_images_become_markdown(page: Any, live_server: str) -> None:
    author = make_user(display_name="Ada Author")
    reader = make_user(display_name="Ben Reader")
    thread = make_thread(make_board(), author=author, title="The login page broke")
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server, reader.email, PASSWORD)
    page.goto(f"{live_server}/t/{thread.id}")
    text = page.get_by_label("Your reply")
    text.fill("What we saw:")

    # Chosen with the file input, described first.
    page.get_by_label("Describe the image").fill("The error on the login page")
    page.get_by_label("Image or document").set_input_files(
        {"name": "error.png", "mimeType": "image/png", "buffer": png(60, 30, "red")}
    )
    page.get_by_role("status").filter(has_text="Image added to the text.").wait_for()
    assert "![The error on the login page](/uploads/" in text.input_value()
    assert page.get_by_label("Describe the image").input_value() == ""
    assert page.get_by_label("Image or document").input_value() == ""

    # Pasted: the placeholder description is selected, so typing replaces it.
    data = base64.b64encode(png(40, 40, "blue")).decode()
    page.evaluate(SEND_FILE, ["paste", data])
    page.get_by_role("status").filter(has_text="Type its description").wait_for()
    page.keyboard.type("The console after the retry")
    assert "![The console after the retry](/uploads/" in text.input_value()

    # Dropped on the text.
    page.evaluate(SEND_FILE, ["drop", data])
    page.wait_for_function(
        "() => (document.querySelector('[data-reply-form] textarea').value"
        ".match(/!\\[/g) || []).length === 3"
    )

    page.get_by_role("button", name="Post reply").click()
    mine = page.get_by_role("article", name="Ben Reader")
    mine.wait_for()
    image = mine.get_by_role("img", name="The error on the login page")
    image.wait_for()
    assert page.evaluate("(img) => img.complete && img.naturalWidth", image.element_handle()) == 60
    assert page.csp_errors == []
    assert errors == []
