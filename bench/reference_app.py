"""The bare reference page: 30 posts held in memory rendered through one Jinja template.

No database, no sign-in, no extensions. bench/run.py serves it with gunicorn exactly like the
forum (same workers, same load) and reports every forum page as a ratio to it, so figures from
different runs on a noisy machine can be compared.

    gunicorn -w 2 --pythonpath bench reference_app:app
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

from flask import Flask, render_template

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forum.bench.prose import ProseWriter, Vocabulary
from forum.core.markup import render_markdown

app = Flask(__name__)


def _posts(count: int = 30) -> list[dict[str, object]]:
    """Posts like the forum's: the same prose generator, rendered through the same Markdown."""
    rng = random.Random(30)
    writer = ProseWriter(rng, Vocabulary(random.Random(2026)), ["ada.okafor", "tom.hughes"])
    start = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
    posts = []
    for number in range(1, count + 1):
        body = writer.body()
        posts.append(
            {
                "id": number,
                "author": f"Person {number % 7}",
                "created_at": start + dt.timedelta(minutes=37 * number),
                "body_html": render_markdown(body.source, mentions=body.mentions),
            }
        )
    return posts


POSTS = _posts()


@app.get("/")
def page() -> str:
    return render_template("reference.html", title="A thread", posts=POSTS)
