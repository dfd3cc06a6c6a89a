"""`flask --app wsgi bench seed`: a realistic forum of N posts for the benchmark in bench/."""

from __future__ import annotations

from flask import Flask

from forum.bench.cli import bench_cli

__all__ = ["init_app"]


def init_app(app: Flask) -> None:
    app.cli.add_command(bench_cli)
