"""The background indexer: `flask --app wsgi search work` applies queued index changes as they
arrive, so requests only queue them (SEARCH_INDEX_INLINE off, as in production). Only the
Whoosh backend needs it: with SEARCH_BACKEND=postgres writers keep their documents current in
their own transaction, and the queue stays empty.

It is a `core.work.Runner` with one job, run every turn (polling every `poll` seconds when idle),
so it stops cleanly on SIGTERM like `flask work`. Killing it loses nothing: queue rows are
deleted only after the index commit that applied them, the index locks are flock(2) locks the
kernel releases when the process dies, and the next drain (its restart, `flask work`, or the
search page once the backlog is old) applies what is left. One indexer per index directory is
enough; a second one only waits for the write lock.
"""

from __future__ import annotations

import click
from flask import current_app

from forum.core.work import Job, Runner, Tick
from forum.search.indexing import drain

# `work` waits at most this long for the index writer (a rebuild or an inline drain may write).
DRAIN_LOCK_TIMEOUT_SECONDS = 1.0
# Idle polling of the dedicated indexer: a change waits at most this long before its drain.
DEFAULT_POLL_SECONDS = 0.2


def drain_job(tick: Tick) -> int:
    """Apply index changes still queued; returns how many were applied."""
    return drain(timeout=DRAIN_LOCK_TIMEOUT_SECONDS, should_stop=tick.should_stop).applied


def indexer(*, poll_seconds: float = DEFAULT_POLL_SECONDS) -> Runner:
    """A runner that drains the search queue every turn, and does nothing else."""
    return Runner(
        current_app._get_current_object(),  # type: ignore[attr-defined]
        poll_seconds=poll_seconds,
        jobs=[Job("search.index", drain_job, every_seconds=0, order=0)],
    )


def run(*, once: bool, poll_seconds: float) -> None:
    """What `flask --app wsgi search work` does."""
    runner = indexer(poll_seconds=poll_seconds)
    restore = runner.install_signal_handlers()
    try:
        if once:
            results = runner.run_all_once()
            click.echo(f"Search indexer applied {results.get('search.index') or 0} changes.")
        else:
            click.echo(
                f"Search indexer {runner.worker_id} running (idle poll {runner.poll_seconds}s);"
                " stop with SIGTERM or Ctrl-C."
            )
            runner.run()
            click.echo("Search indexer stopped.")
    finally:
        restore()
    if runner.failed:
        raise SystemExit(1)
