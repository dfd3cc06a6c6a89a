"""The worst day, end to end with the real worker process: the SMTP server is down, one webhook
receiver answers 500, another answers too slowly (the worker times out), and the worker is
killed with SIGKILL while a request is in flight. After recovery every alert is delivered; none
is lost, and an alert arrives twice only where at-least-once allows it: its earlier attempt's
outcome was never known to the worker (it timed out, or the worker died waiting), and every
copy carries the same idempotency key.

The single faults are covered one by one, in-process, in test_email.py, test_webhook.py and
test_worker.py; this puts them together on a real process and real servers."""

from __future__ import annotations

import json
import signal
import subprocess
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from forum.alerts import services
from forum.alerts.models import DeliveryAttempt, OutboxMessage, OutboxStatus
from forum.extensions import db
from tests.alerts.factories import make_email, make_endpoint
from tests.alerts.servers import SmtpServer, WebhookReceiver, free_port, wait_for

pytestmark = pytest.mark.slow

EMAILS = 6
FAILING_HOOKS = 6  # to the receiver that answers 500 until it recovers
SLOW_HOOKS = 3  # to the receiver that answers after the worker stopped waiting


@pytest.fixture
def receivers() -> Iterator[tuple[WebhookReceiver, WebhookReceiver]]:
    with WebhookReceiver([500]) as failing, WebhookReceiver([200], delays=[3.0] * 4) as slow:
        yield failing, slow


def every_message() -> list[OutboxMessage]:
    db.session.commit()  # a fresh read of what the worker processes committed
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def deliveries(receiver: WebhookReceiver) -> dict[str, list[str]]:
    """Alert title -> webhook-id of every request the receiver answered with a 2xx."""
    found: dict[str, list[str]] = defaultdict(list)
    for request in receiver.requests:
        if 200 <= request.status < 300:
            headers = {name.lower(): value for name, value in request.headers.items()}
            found[json.loads(request.body)["data"]["title"]].append(headers["webhook-id"])
    return found


@pytest.mark.timeout(300)
def test_after_every_fault_every_alert_arrives_and_duplicates_are_at_least_once(
    app: Flask,
    receivers: tuple[WebhookReceiver, WebhookReceiver],
    start_worker: Callable[..., subprocess.Popen[str]],
) -> None:
    failing, slow = receivers
    smtp = SmtpServer(free_port())  # not started: connections are refused
    settings = {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "MAIL_TIMEOUT_SECONDS": "2",
        "WEBHOOK_TIMEOUT_SECONDS": "1",
        # Quick retries and a short lease, so recovery happens within the test.
        "ALERT_RETRY_BASE_SECONDS": "0.2",
        "ALERT_RETRY_MAX_SECONDS": "1",
        "ALERT_LEASE_SECONDS": "4",
        "ALERT_BATCH_SIZE": "4",
    }
    emails = {f"Mail {n}" for n in range(EMAILS)}
    for subject in sorted(emails):
        make_email(subject=subject)
    failing_titles = {f"Failing {n}" for n in range(FAILING_HOOKS)}
    slow_titles = {f"Slow {n}" for n in range(SLOW_HOOKS)}
    for endpoint, titles in (
        (make_endpoint(failing.url), failing_titles),
        (make_endpoint(slow.url), slow_titles),
    ):
        for title in sorted(titles):
            services.enqueue_webhook(endpoint, {"title": title}, f"faults:{title}")
    db.session.commit()

    # 1. Everything is failing: every alert is tried at least once and none is lost or dead.
    first = start_worker(**settings)
    wait_for(lambda: all(m.attempts >= 1 for m in every_message()), timeout=120, process=first)
    assert {m.status for m in every_message()} == {OutboxStatus.PENDING}

    # 2. SIGKILL while a request to the failing receiver is in flight.
    release = failing.hold_next()
    failing.arrived.clear()
    wait_for(failing.arrived.is_set, timeout=60, process=first)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    in_flight = json.loads(failing.requests[-1].body)["data"]["title"]
    # 3. Recovery: the mail server comes up, the receivers answer 200 at once, and the request
    # the dead worker was waiting for is now accepted too (the worker never learns it).
    smtp.start()
    try:
        failing.statuses = [200]
        slow.delays = []
        release.set()
        second = start_worker(**settings)
        wait_for(
            lambda: all(m.status == OutboxStatus.SENT for m in every_message()),
            timeout=180,
            process=second,
        )
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
    finally:
        smtp.stop()

    # Every email exactly once: none was in flight when the worker died.
    assert Counter(message["Subject"] for message in smtp.messages) == Counter(emails)
    # Every webhook at least once, always with the same webhook-id for one alert.
    for receiver, titles in ((failing, failing_titles), (slow, slow_titles)):
        got = deliveries(receiver)
        assert set(got) == titles
        assert all(len(set(ids)) == 1 for ids in got.values())
    # More than once only where the worker could not know the first copy arrived.
    failing_got = deliveries(failing)
    assert {title: len(ids) for title, ids in failing_got.items() if len(ids) > 1} == {in_flight: 2}
    timed_out = _timed_out_attempts()
    for title, ids in deliveries(slow).items():
        assert len(ids) <= 1 + timed_out[title], title
    assert sum(timed_out.values()) >= 1  # the slow receiver really made the worker time out


def _timed_out_attempts() -> dict[str, int]:
    """Alert title -> attempts that ended in a timeout (the receiver may still have got it)."""
    counts: dict[str, int] = defaultdict(int)
    rows = db.session.execute(
        select(OutboxMessage.payload, DeliveryAttempt.error).join(
            DeliveryAttempt, DeliveryAttempt.message_id == OutboxMessage.id
        )
    ).all()
    for payload, error in rows:
        if error and "Timeout" in error:
            counts[payload["title"]] += 1
    return counts
