"""One pager macro for every list: numbered pages, rel links, the list's own arguments kept."""

from __future__ import annotations

from flask import Flask

from forum.core.pagination import Page

SOURCE = (
    '{% from "_macros/pagination.html" import pager, head_links %}'
    "{{ head_links(page, 'registry.index', q='bus') }}"
    "{{ pager(page, 'registry.index', label='Profile pages', q='bus', **more) }}"
)


def render(app: Flask, page: Page[int], **more: str) -> str:
    with app.test_request_context("/"):
        return app.jinja_env.from_string(SOURCE).render(page=page, more=more)


def test_a_middle_page_links_both_ways_keeping_the_filters(app: Flask) -> None:
    html = render(app, Page(items=[], page=2, per_page=10, total=35))
    assert '<nav class="pagination" aria-label="Profile pages">' in html
    assert '<a rel="prev" href="/profiles?page=1&amp;q=bus">← Previous</a>' in html
    assert '<a rel="next" href="/profiles?page=3&amp;q=bus">Next →</a>' in html
    assert "<span>Page 2 of 4</span>" in html
    assert '<link rel="prev" href="/profiles?page=1&amp;q=bus">' in html
    assert '<link rel="next" href="/profiles?page=3&amp;q=bus">' in html


def test_the_ends_link_one_way_only(app: Flask) -> None:
    first = render(app, Page(items=[], page=1, per_page=10, total=35))
    assert 'rel="prev"' not in first and 'rel="next"' in first
    last = render(app, Page(items=[], page=4, per_page=10, total=35))
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_one_page_needs_no_pager(app: Flask) -> None:
    html = render(app, Page(items=[], page=1, per_page=10, total=10))
    assert "pagination" not in html and "rel=" not in html
