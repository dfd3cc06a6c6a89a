"""Schemathesis drives every operation of the OpenAPI document through the app (no network).

For each operation it sends schema-valid requests and, where there is input to break,
schema-violating ones, as the demo admin over a bearer token, against the demo data. Checks:
no 5xx, every status code documented, responses (JSON and CSV) matching their schemas, and
invalid input refused. Not checked: that every schema-valid request succeeds, since the
document cannot say which department slugs exist or which state changes are allowed (those
are documented 400/403/404/409 answers).

Examples per operation: FUZZ_EXAMPLES (default 25, derandomized so CI is repeatable); set it
higher and FUZZ_USER to another demo person (e.g. mia.evans) to explore further.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode, checks

import forum.capabilities  # noqa: F401  (every API route registered)
from forum.accounts.demo import demo_email
from forum.api.spec import OPERATIONS, openapi_path
from forum.extensions import db
from tests.demo_app import demo_app

FUZZ_USER = os.environ.get("FUZZ_USER", "admin")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))


@pytest.fixture(scope="module")
def fuzz_app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with demo_app(database_url, Path(tmp_path_factory.mktemp("fuzz"))) as app:
        with app.app_context():
            from forum.accounts import services

            user = services.user_by_email(demo_email(FUZZ_USER))
            assert user is not None
            _token, secret = services.create_api_token(user, "fuzz")
            db.session.commit()
            app.config["FUZZ_TOKEN"] = secret
            db.session.remove()
        yield app


@pytest.fixture(scope="module")
def api_schema(fuzz_app: Flask) -> Any:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)
    # Configured rather than passed per call, so negative cases that drop the header on
    # purpose are known to Schemathesis (and expected to get 401).
    schema.config.update(headers={"Authorization": f"Bearer {fuzz_app.config['FUZZ_TOKEN']}"})
    return schema


def _cases() -> list[tuple[str, str, GenerationMode]]:
    cases = set()
    for op in OPERATIONS:
        path = openapi_path(op.rule)
        cases.add((op.method, path, GenerationMode.POSITIVE))
        has_input = op.body or op.query or path != op.rule
        if has_input or op.request_content_type != "application/json":
            cases.add((op.method, path, GenerationMode.NEGATIVE))
    return sorted(cases)


@pytest.mark.parametrize(("method", "path", "mode"), _cases())
def test_api_conforms_to_its_document(
    api_schema: Any, method: str, path: str, mode: GenerationMode
) -> None:
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        case.call_and_validate(excluded_checks=[checks.positive_data_acceptance])

    check()
