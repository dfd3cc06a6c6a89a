"""`flask --app wsgi alerts …`, including the real worker process stopped and killed."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner

from forum.accounts.models import EmailPreference
from forum.alerts import services, worker
from forum.alerts.models import OutboxStatus
from forum.extensions import db
from tests.alerts.factories import make_email, make_endpoint
from tests.alerts.servers import WebhookReceiver, wait_for
from tests.factories import make_user, reload

ROOT = Path(__file__).resolve().parents[2]


def test_run_once_is_work_once_and_reports(app: Flask, runner: FlaskCliRunner) -> None:
    message = make_email()
    result = runner.invoke(args=["alerts", "run-once"])
    assert result.exit_code == 0, result.output
    assert "alerts.deliver 1" in result.output
    assert "escalations.ladder 0" in result.output
    assert reload(message).status == OutboxStatus.SENT


def test_status_counts(app: Flask, runner: FlaskCliRunner) -> None:
    make_email()
    result = runner.invoke(args=["alerts", "status"])
    assert result.output.strip() == "pending 1, sent 0, dead 0"


def test_digest_command_queues_digests(app: Flask, runner: FlaskCliRunner) -> None:
    user = make_user(email_preference=EmailPreference.DAILY)
    services.notify_user(
        user,
        kind="reply",
        title="Hi",
        body="",
        url="/t/1",
        dedupe_key="cli-digest",
        now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1),
    )
    db.session.commit()
    result = runner.invoke(args=["alerts", "digest"])
    assert result.output.strip() == "Queued 1 daily digest."
    assert runner.invoke(args=["alerts", "digest"]).output.strip() == "Queued 0 daily digests."


# --- The real `alerts work` process -------------------------------------------------------------


def eml_count(app: Flask) -> int:
    return len(list((Path(app.instance_path) / "mail").glob("*.eml")))


def test_worker_process_delivers_and_stops_cleanly_on_sigterm(
    app: Flask, start_worker: Callable[..., subprocess.Popen[str]]
) -> None:
    messages = [make_email(subject=f"Alert {n}") for n in range(3)]
    process = start_worker()
    wait_for(lambda: eml_count(app) == 3, process=process)
    wait_for(lambda: all(reload(m).status == OutboxStatus.SENT for m in messages), process=process)
    # Still polling: a message queued now is picked up within a second or so.
    make_email(subject="Late alert")
    wait_for(lambda: eml_count(app) == 4, timeout=30, process=process)

    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "Worker stopped." in output


def test_worker_process_killed_mid_send_loses_nothing(
    app: Flask, start_worker: Callable[..., subprocess.Popen[str]]
) -> None:
    with WebhookReceiver() as receiver:
        endpoint = make_endpoint(receiver.url)
        message = services.enqueue_webhook(endpoint, {"title": "Crisis"}, "killed-mid-send")
        db.session.commit()
        release = receiver.hold_next()  # the receiver keeps the first request waiting
        process = start_worker("alerts", "work")  # the old name of `work`
        wait_for(receiver.arrived.is_set, process=process)
        process.kill()  # SIGKILL while the request is in flight: no chance to clean up
        process.wait(timeout=20)
        release.set()

        message = reload(message)
        assert message.status == OutboxStatus.PENDING
        assert message.claimed_until is not None and message.claimed_by is not None

        # Nothing else takes it while the dead worker's lease lasts; afterwards it is resent.
        assert worker.run_once(now=message.claimed_until - dt.timedelta(seconds=1)).claimed == 0
        assert worker.run_once(now=message.claimed_until).sent == 1
        assert reload(message).status == OutboxStatus.SENT
        first, second = receiver.requests
        assert first.headers["webhook-id"] == second.headers["webhook-id"]


def test_demo_seed_is_idempotent(app: Flask) -> None:
    from forum.alerts import demo
    from forum.alerts.models import WebhookEndpoint

    users = [make_user() for _ in range(2)]
    assert demo.seed() == "1 webhook endpoints, 2 welcome notifications"
    db.session.commit()
    assert demo.seed() == "0 webhook endpoints, 0 welcome notifications"
    assert all(services.unread_count(u) == 1 for u in users)
    assert db.session.query(WebhookEndpoint).one().is_active is False
