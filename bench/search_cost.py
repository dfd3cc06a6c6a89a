"""In-process cost of one search, for a before/after comparison of search changes.

Run it with the app's environment of a seeded bench instance (`flask bench seed`), e.g.
`FORUM_INSTANCE_PATH=... SECRET_KEY=x python bench/search_cost.py fivaro team`: for each word
(and each sort order the code knows), the median time of services.search with the result
cache emptied first (cold), again with it filled (cached), and of page 2 after page 1. As the
bench admin: every board. Prints JSON.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from forum.accounts.models import Role, User
from forum.extensions import db
from forum.search import cache, services
from wsgi import app

COLD_RUNS = 9
WARM_RUNS = 5


def median_ms(
    run: Callable[[], Any], times: int, *, before: Callable[[], None] | None = None
) -> float:
    taken = []
    for _ in range(times):
        if before is not None:
            before()
        start = time.perf_counter()
        run()
        taken.append(time.perf_counter() - start)
    return round(statistics.median(taken) * 1000, 1)


def main(words: list[str]) -> dict[str, Any]:
    with app.app_context():
        admin = db.session.scalars(select(User).where(User.role == Role.ADMIN)).first()
        services.search(admin, q="warmup")
        sorts = [None, "newest", "helpful"] if hasattr(services, "parse_sort") else [None]
        found: dict[str, Any] = {}
        for word in words:
            for sort in sorts:
                options = {"sort": sort} if sort else {}
                outcome = services.search(admin, q=word, **options)
                found[f"{word}/{sort or 'relevance'}"] = {
                    "total": outcome.page.total,
                    "cold_ms": median_ms(
                        lambda w=word, o=options: services.search(admin, q=w, **o),
                        COLD_RUNS,
                        before=cache.results.clear,
                    ),
                    "cached_ms": median_ms(
                        lambda w=word, o=options: services.search(admin, q=w, **o), WARM_RUNS
                    ),
                    "page2_ms": median_ms(
                        lambda w=word, o=options: services.search(admin, q=w, page=2, **o),
                        WARM_RUNS,
                    ),
                }
        return found


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:]), indent=1))
