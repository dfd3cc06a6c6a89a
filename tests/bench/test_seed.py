"""`flask --app wsgi bench seed`: a realistic forum in an empty database, or a clear refusal."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from forum.accounts.models import User
from forum.bench import cli, seed, shape
from forum.bench.prose import ProseWriter, Vocabulary
from forum.boards import services as boards
from forum.boards.models import Board, Post, Reaction, Thread, ThreadRead
from forum.core.markup import render_markdown
from forum.escalations.models import Escalation
from forum.extensions import db
from forum.registry.models import SocialProfile
from forum.search import services as search
from tests.factories import make_user

POSTS = 400


def count(model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def summary(app: Flask, runner: FlaskCliRunner) -> dict[str, Any]:
    result = runner.invoke(args=["bench", "seed", "--posts", str(POSTS)])
    assert result.exit_code == 0, result.output
    db.session.remove()  # read back what was committed, through a fresh session
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def test_seed_writes_the_promised_forum(summary: dict[str, Any]) -> None:
    assert count(Post) == summary["posts"] == POSTS
    assert count(Thread) == summary["threads"] == POSTS // 20
    assert count(User) == 200
    assert count(SocialProfile) == 2_000
    assert count(Escalation) == 1_000
    assert count(Reaction) > 0 and count(ThreadRead) > 0
    visibilities = db.session.scalars(select(Board.visibility)).all()
    assert len(visibilities) == 10 and visibilities.count("department") == 2
    board = db.session.scalar(select(Board).where(Board.slug == summary["board_slug"]))
    assert board is not None and board.visibility == "staff"
    # Threads agree with their posts, as the services would have kept them.
    facts = db.session.execute(
        select(Thread.id, Thread.post_count, Thread.last_post_id, Thread.created_at)
        .add_columns(func.count(Post.id), func.max(Post.id), func.min(Post.created_at))
        .join(Post, Post.thread_id == Thread.id)
        .group_by(Thread.id)
    ).all()
    for _id, post_count, last_post_id, created_at, posts, newest, earliest in facts:
        assert (post_count, last_post_id, created_at) == (posts, newest, earliest)
    longest = max(facts, key=lambda fact: fact[1])
    assert longest[0] == summary["long_thread_id"]
    assert longest[1] == summary["long_thread_posts"] == POSTS // 2
    # Ids follow time, as in a forum that grew, over the past year.
    times = db.session.scalars(select(Post.created_at).order_by(Post.id)).all()
    assert times == sorted(times)
    now = dt.datetime.now(dt.UTC)
    assert now - dt.timedelta(days=366) < times[0] and times[-1] <= now


def test_seeded_posts_are_rendered_searchable_and_readable(
    app: Flask, summary: dict[str, Any]
) -> None:
    posts = db.session.scalars(select(Post).order_by(Post.id)).all()
    html = "".join(post.body_html for post in posts)
    for marker in ("<a href=", "<li>", "<pre><code", "<blockquote>", 'class="mention"', "#"):
        assert marker in html
    for post in posts:
        words = len(re.findall(r"[A-Za-z]+", post.body))
        assert 20 <= words <= 450, post.body
    # Bodies went through the app's own pipeline (Markdown, @mentions, sanitizing).
    for post in random.Random(1).sample(posts, 25):
        assert boards.render_body(post.body)[0] == post.body_html

    # The summary's words are found by the real search, about as often as it says.
    admin = db.session.scalar(select(User).where(User.email == summary["email"]))
    assert admin is not None and admin.role == "admin"
    rare = search.search(admin, q=summary["search_word"]).page.total
    common = search.search(admin, q=summary["common_word"]).page.total
    # Search results are threads (issue 18): the rare word is in a few, the common one in most.
    threads = summary["threads"]
    assert rare == summary["search_word_hits"] and 1 <= rare < threads // 2
    assert common == summary["common_word_hits"] and common > threads // 2
    assert rare <= summary["search_word_posts"] and summary["common_word_posts"] > POSTS // 4

    # The summary's credentials sign in, and that admin reads the long thread.
    client = app.test_client()
    response = client.post(
        "/login", data={"email": summary["email"], "password": summary["password"]}
    )
    assert response.status_code == 302
    assert client.get(f"/t/{summary['long_thread_id']}").status_code == 200


def test_seed_refuses_a_database_that_holds_data(app: Flask, runner: FlaskCliRunner) -> None:
    make_user()
    result = runner.invoke(args=["bench", "seed", "--posts", "100"])
    assert result.exit_code == 1
    assert "already holds data (1 users)" in result.output
    assert "only fills an empty database" in result.output
    db.session.remove()
    assert count(User) == 1 and count(Post) == 0


def test_seed_shows_progress_on_a_terminal_and_keeps_stdout_for_the_summary(
    app: Flask, runner: FlaskCliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_is_terminal", lambda: True)
    result = runner.invoke(args=["bench", "seed", "--posts", "100"])
    assert result.exit_code == 0, result.output
    assert "Rendering posts" in result.stderr and "Indexing threads" in result.stderr
    assert json.loads(result.stdout.strip())["posts"] == 100  # stdout: the summary alone


def test_quiet_seed_prints_only_the_summary(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["bench", "seed", "--posts", "100"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert len(result.stdout.strip().splitlines()) == 1


def test_thread_sizes_are_long_tailed_with_one_long_thread() -> None:
    sizes = shape.thread_sizes(random.Random(3), 100_000, 5_000)
    assert sum(sizes) == 100_000 and len(sizes) == 5_000
    assert sizes[0] == shape.LONG_THREAD_POSTS == max(sizes)
    assert min(sizes) >= 1 and max(sizes[1:]) <= shape.MAX_THREAD_POSTS
    assert sorted(sizes)[2_500] < 100_000 / 5_000  # the median thread is below the mean


def test_prose_is_the_same_for_the_same_seed() -> None:
    def bodies(seed: int) -> list[str]:
        rng = random.Random(seed)
        writer = ProseWriter(rng, Vocabulary(random.Random(2026)), ["ada.okafor"])
        return [writer.body().source for _ in range(50)]

    assert bodies(5) == bodies(5)
    assert bodies(5) != bodies(6)


def test_bodies_rendered_in_parallel_match_the_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    writer = ProseWriter(random.Random(4), Vocabulary(random.Random(2026)), ["ada.okafor"])
    bodies = [writer.body() for _ in range(60)]
    monkeypatch.setattr(seed, "PARALLEL_RENDER_FROM", 50)
    monkeypatch.setattr(seed.os, "cpu_count", lambda: 2)
    advanced: list[int] = []
    rendered = seed.render_all(bodies, advanced.append)
    assert rendered == [render_markdown(b.source, mentions=b.mentions) for b in bodies]
    assert sum(advanced) == 60
