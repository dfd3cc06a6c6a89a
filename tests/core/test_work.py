"""`flask --app wsgi work`: the registry of periodic jobs and the runner, with a fake clock."""

from __future__ import annotations

import datetime as dt

from flask import Flask
from flask.testing import FlaskCliRunner

from forum.core import work
from forum.core.work import Tick

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def only_jobs(app: Flask) -> None:
    """Leave out the capabilities' own jobs, so a test sees just the ones it registers."""
    app.extensions[work.EXTENSION_KEY] = {}


def test_every_capability_registers_its_periodic_work(app: Flask) -> None:
    names = [job.name for job in work.registered_jobs(app)]
    # The ladder queues alerts and digests are queued before delivery sends them.
    assert names == [
        "escalations.ladder",
        "meetups.follow_up",
        "alerts.digest",
        "alerts.deliver",
        "search.drain",
        "accounts.audit_prune",
        "uploads.cleanup",
        "accounts.email_links_prune",
    ]


def test_jobs_run_at_their_interval_with_the_runner_clock(app: Flask) -> None:
    only_jobs(app)
    calls: list[dt.datetime] = []
    every_turn: list[dt.datetime] = []
    work.register_job(app, "test.job", lambda tick: calls.append(tick.now) or 1, every_seconds=30)
    work.register_job(
        app, "test.always", lambda tick: every_turn.append(tick.now) or 0, every_seconds=0
    )
    now = [T0]
    runner = work.Runner(app, clock=lambda: now[0])
    for seconds in (0, 10, 29, 30, 45, 61):
        now[0] = T0 + dt.timedelta(seconds=seconds)
        runner.iterate()
    assert calls == [T0, T0 + dt.timedelta(seconds=30), T0 + dt.timedelta(seconds=61)]
    assert len(every_turn) == 6


def test_a_failing_job_is_logged_and_the_others_still_run(app: Flask) -> None:
    only_jobs(app)
    ran: list[str] = []

    def broken(tick: Tick) -> int:
        raise RuntimeError("ladder bug")

    work.register_job(app, "test.broken", broken, order=1)
    work.register_job(app, "test.after", lambda tick: ran.append("after") or 1, order=2)
    runner = work.Runner(app, clock=lambda: T0)
    assert runner.iterate() == {"test.broken": None, "test.after": 1}
    assert runner.failed == ["test.broken"]
    assert work.summary(runner.iterate()) == ""  # neither is due again yet
    assert ran == ["after"]


def test_once_runs_every_job_in_order_and_fails_when_one_failed(
    app: Flask, runner: FlaskCliRunner
) -> None:
    only_jobs(app)
    order: list[str] = []
    work.register_job(app, "b.second", lambda tick: order.append("b") or 2, order=20)
    work.register_job(
        app, "a.first", lambda tick: order.append("a") or 0, every_seconds=3600, order=10
    )
    result = runner.invoke(args=["work", "--once"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Work done: a.first 0, b.second 2."
    assert order == ["a", "b"]

    def broken(tick: Tick) -> int:
        raise RuntimeError("boom")

    work.register_job(app, "a.first", broken, order=10)
    result = runner.invoke(args=["work", "--once"])
    assert result.exit_code == 1
    assert "a.first failed, b.second 2" in result.output


def test_a_stop_is_seen_by_the_running_job_and_no_other_job_starts(app: Flask) -> None:
    only_jobs(app)
    seen: list[bool] = []
    runner = work.Runner(app, clock=lambda: T0)

    def stops(tick: Tick) -> int:
        runner.stop()  # SIGTERM arrives while this job runs
        seen.append(tick.should_stop())
        return 1

    work.register_job(app, "a.stops", stops, order=1)
    work.register_job(app, "b.never", lambda tick: seen.append(False) or 1, order=2)
    assert runner.iterate() == {"a.stops": 1}
    assert seen == [True]
