"""Every search test runs against each backend the database allows: Whoosh always, and
PostgreSQL full-text search too when DATABASE_URL is PostgreSQL. Tests of Whoosh's own machinery
(index files, locks, the queue and its indexer, the per-generation result cache) carry
`@pytest.mark.whoosh_only` and run on Whoosh alone; tests of the PostgreSQL backend's own parts
carry `@pytest.mark.postgres_only` and run only on PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ON_POSTGRES

BACKENDS = ["whoosh", "postgres"] if ON_POSTGRES else ["whoosh"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "search_backend" in metafunc.fixturenames:
        if metafunc.definition.get_closest_marker("whoosh_only") is not None:
            backends = ["whoosh"]
        elif metafunc.definition.get_closest_marker("postgres_only") is not None:
            backends = ["postgres"] if ON_POSTGRES else []
        else:
            backends = BACKENDS
        metafunc.parametrize("search_backend", backends, indirect=True)


@pytest.fixture
def search_backend(request: pytest.FixtureRequest) -> str:
    """The SEARCH_BACKEND this test runs with."""
    return str(request.param)


@pytest.fixture
def app_config(app_config: dict[str, Any], search_backend: str) -> dict[str, Any]:
    return {**app_config, "SEARCH_BACKEND": search_backend}
