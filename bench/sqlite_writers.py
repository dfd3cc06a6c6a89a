"""How long SQLite writers wait for the write lock, with the writer queue on and off.

`python bench/sqlite_writers.py [--processes 4] [--transactions 200]` starts that many
processes against one temporary SQLite file, set up as the app sets up its engine
(forum.core.db.configure_sqlite). Each runs short write transactions back to back: BEGIN
IMMEDIATE, a few inserts and a few milliseconds of Python work, COMMIT, then a little work
between transactions (a request's handling outside its transaction). It prints, for the queue
on and off, the wait from asking for the transaction to holding the lock (p50, p99, max), the
transactions per second of all processes together, and the ratios on/off. The modes alternate
round by round, so a busy machine weighs on both alike.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from forum.core.db import configure_sqlite, immediate_transactions

ROWS_PER_TRANSACTION = 5


def busy(rounds: int) -> None:
    """CPU work standing in for rendering, validation and the like."""
    digest = b"forum"
    for _ in range(rounds):
        digest = hashlib.sha256(digest * 8).digest()


def rounds_per_ms() -> int:
    start, rounds = time.perf_counter(), 20_000
    busy(rounds)
    return max(1, int(rounds / ((time.perf_counter() - start) * 1000)))


def writer(
    url: str, queue_on: bool, transactions: int, work: int, gap: int, barrier: Any, results: Any
) -> None:
    engine = create_engine(url)
    configure_sqlite(engine, writer_queue=queue_on)
    waits: list[float] = []
    errors = 0
    with engine.connect() as connection:
        barrier.wait(timeout=60)
        started = time.monotonic()
        for n in range(transactions):
            asked = time.monotonic()
            try:
                with immediate_transactions(), connection.begin():
                    waits.append(time.monotonic() - asked)
                    connection.execute(
                        text("INSERT INTO entries (body) VALUES (:body)"),
                        [{"body": f"entry {n}.{row} " * 8} for row in range(ROWS_PER_TRANSACTION)],
                    )
                    busy(work)
            except OperationalError:
                errors += 1
            busy(gap)
        finished = time.monotonic()
    engine.dispose()
    results.put((waits, errors, started, finished))


@dataclass
class Outcome:
    waits: list[float]
    errors: int
    seconds: float

    @property
    def per_second(self) -> float:
        return len(self.waits) / self.seconds

    def wait_ms(self, quantile: int) -> float:
        return statistics.quantiles(self.waits, n=100, method="inclusive")[quantile - 1] * 1000


def run(queue_on: bool, args: argparse.Namespace, work: int, gap: int) -> Outcome:
    context = multiprocessing.get_context("spawn")
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'writers.db'}"
        engine = create_engine(url)
        configure_sqlite(engine)
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE entries (id INTEGER PRIMARY KEY, body TEXT)"))
        engine.dispose()
        barrier, results = context.Barrier(args.processes), context.Queue()
        processes = [
            context.Process(
                target=writer,
                args=(url, queue_on, args.transactions, work, gap, barrier, results),
            )
            for _ in range(args.processes)
        ]
        for process in processes:
            process.start()
        reports = [results.get(timeout=600) for _ in processes]
        for process in processes:
            process.join()
    return Outcome(
        waits=[wait for report in reports for wait in report[0]],
        errors=sum(report[1] for report in reports),
        seconds=max(report[3] for report in reports) - min(report[2] for report in reports),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--transactions", type=int, default=200, help="per process and round")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each mode, alternating")
    parser.add_argument("--work-ms", type=float, default=3.0, help="CPU work in a transaction")
    parser.add_argument("--gap-ms", type=float, default=1.0, help="CPU work between them")
    args = parser.parse_args()
    per_ms = rounds_per_ms()
    work, gap = int(args.work_ms * per_ms), int(args.gap_ms * per_ms)
    outcomes: dict[bool, list[Outcome]] = {True: [], False: []}
    for _ in range(args.rounds):
        for queue_on in (True, False):
            outcomes[queue_on].append(run(queue_on, args, work, gap))
    print(
        f"{args.processes} processes x {args.transactions} transactions x {args.rounds} rounds, "
        f"{args.work_ms} ms work inside, {args.gap_ms} ms between"
    )
    print(f"{'queue':<6}{'tx/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}")
    merged = {}
    for queue_on, runs in outcomes.items():
        merged[queue_on] = outcome = Outcome(
            waits=[wait for o in runs for wait in o.waits],
            errors=sum(o.errors for o in runs),
            seconds=sum(o.seconds for o in runs),
        )
        print(
            f"{'on' if queue_on else 'off':<6}{outcome.per_second:>8.0f}"
            f"{outcome.wait_ms(50):>9.2f}{outcome.wait_ms(99):>9.2f}"
            f"{max(outcome.waits) * 1000:>9.2f}{outcome.errors:>8}"
        )
    on, off = merged[True], merged[False]
    print(
        f"on/off  tx/s {on.per_second / off.per_second:.2f}  "
        f"p50 {on.wait_ms(50) / off.wait_ms(50):.2f}  p99 {on.wait_ms(99) / off.wait_ms(99):.2f}  "
        f"max {max(on.waits) / max(off.waits):.2f}"
    )


if __name__ == "__main__":
    main()
