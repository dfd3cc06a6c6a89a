"""`flask --app wsgi bench seed --posts N`: its last line is a JSON summary for bench/run.py."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask.cli import AppGroup

from forum.bench import seed
from forum.core.errors import Conflict

bench_cli = AppGroup("bench", help="Benchmark data (see bench/run.py).")


def _is_terminal() -> bool:
    return sys.stderr.isatty()


@contextmanager
def _terminal_stage(label: str, length: int) -> Iterator[seed.Advance]:
    # On stderr, so `bench seed | tail -1` (and bench/run.py) still see the bar.
    with click.progressbar(length=length, label=label.ljust(17), file=sys.stderr) as bar:
        yield bar.update


@contextmanager
def _quiet_stage(_label: str, _length: int) -> Iterator[seed.Advance]:
    yield lambda _n: None


@bench_cli.command("seed")
@click.option("--posts", type=click.IntRange(min=20), default=10_000, show_default=True)
@click.option(
    "--seed",
    "seed_value",
    type=int,
    default=2026,
    show_default=True,
    help="Random seed: the same seed and size give the same forum.",
)
def seed_command(posts: int, seed_value: int) -> None:
    """Fill an EMPTY database with N posts (N/20 threads, one of 1,600 posts), 200 people,
    2,000 profiles and 1,000 escalations, then build the search index. A progress bar shows on
    a terminal (stderr); the last line on stdout is a JSON summary (search words, the long
    thread, the bench sign-in, seconds)."""
    stage = _terminal_stage if _is_terminal() else _quiet_stage
    try:
        summary = seed.run(posts, stage=stage, seed_value=seed_value)
    except Conflict as error:
        raise click.ClickException(error.message) from None
    click.echo(json.dumps(summary))
