"""Query syntax, field filters, dates, snippets, visibility and paging, through services.search."""

from __future__ import annotations

import datetime as dt

import pytest

from forum.accounts.models import Role
from forum.boards.models import PostKind
from forum.core.errors import Invalid
from forum.search import services
from tests.factories import make_department, make_user
from tests.search.factories import found, hits, make_board, make_reply, make_thread


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


@pytest.fixture
def corpus(app):
    """Three threads with replies on one staff board, by known authors, on known dates."""
    board = make_board(slug="it-help", name="IT help")
    other = make_board(slug="comms", name="Communications")
    priya = make_user(email="priya.shah@example.org", display_name="Priya Shah")
    tom = make_user(email="t.hughes@example.org", display_name="Tom Hughes")
    jam = make_thread(
        board,
        author=priya,
        kind=PostKind.FAILURE,
        title="Printer jam on floor two",
        body="The printer in the east wing jams on every duplex job.",
        tags=["printers", "social-media"],
        now=utc(2026, 1, 10),
    )
    jam_reply = make_reply(
        jam, author=tom, body="Replacing the toner cartridge fixed the jam.", now=utc(2026, 1, 11)
    )
    fix = make_thread(
        board,
        author=tom,
        kind=PostKind.FIX,
        title="Toner swap procedure",
        body="Open the front panel, then slide out the toner.",
        tags=["printers"],
        now=utc(2026, 2, 20),
    )
    story = make_thread(
        other,
        author=priya,
        kind=PostKind.STORY,
        title="Our newsletter launch",
        body="We launched the newsletter with a paper jam of a different kind.",
        now=utc(2026, 3, 31),
    )
    reader = make_user()
    return {
        "board": board,
        "other": other,
        "priya": priya,
        "tom": tom,
        "jam": jam,
        "jam_reply": jam_reply,
        "fix": fix,
        "story": story,
        "reader": reader,
    }


def first(thread) -> tuple[int, int]:
    return (thread.id, thread.posts[0].id)


def as_set(user, q: str = "", **filters) -> set[tuple[int, int]]:
    """Every post shown on the first page (each thread's best-matching posts)."""
    return set(found(user, q, **filters))


def test_words_match_titles_and_posts_with_stemming(corpus) -> None:
    reader = corpus["reader"]
    # "printers" is also the tag of both printer threads: a plain word finds tags too.
    assert as_set(reader, "printers") == {first(corpus["jam"]), first(corpus["fix"])}
    assert as_set(reader, "jams") == {
        first(corpus["jam"]),
        first(corpus["story"]),
        (corpus["jam"].id, corpus["jam_reply"].id),
    }


def test_a_title_match_ranks_the_thread_first(corpus) -> None:
    assert hits(corpus["reader"], "toner")[0] == first(corpus["fix"])


def test_phrases_match_words_in_order_only(corpus) -> None:
    reader = corpus["reader"]
    assert as_set(reader, '"paper jam"') == {first(corpus["story"])}
    assert as_set(reader, '"jam paper"') == set()


def test_and_or_not(corpus) -> None:
    reader, jam, story = corpus["reader"], corpus["jam"], corpus["story"]
    reply = (jam.id, corpus["jam_reply"].id)
    assert as_set(reader, "jam AND newsletter") == {first(story)}
    assert as_set(reader, "duplex OR newsletter") == {first(jam), first(story)}
    assert as_set(reader, "jam NOT toner") == {first(jam), first(story)}
    assert as_set(reader, "jam -toner") == {first(jam), first(story)}
    assert as_set(reader, "(duplex OR cartridge) AND jam") == {first(jam), reply}


def test_kind_filter_in_query_and_as_parameter(corpus) -> None:
    reader, jam = corpus["reader"], corpus["jam"]
    reply = (jam.id, corpus["jam_reply"].id)
    assert as_set(reader, "jam kind:failure") == {first(jam), reply}
    assert as_set(reader, "jam kind:FAILURE") == {first(jam), reply}
    assert as_set(reader, "jam", kind="story") == {first(corpus["story"])}
    assert as_set(reader, "kind:fix OR kind:story") == {
        first(corpus["fix"]),
        first(corpus["story"]),
    }


def test_board_filter_by_slug(corpus) -> None:
    reader = corpus["reader"]
    assert as_set(reader, "jam board:comms") == {first(corpus["story"])}
    assert as_set(reader, "jam", board="comms") == {first(corpus["story"])}
    assert as_set(reader, "jam board:no-such-board") == set()
    assert as_set(reader, "jam", board="no-such-board") == set()


def test_tag_filter(corpus) -> None:
    reader, jam, fix = corpus["reader"], corpus["jam"], corpus["fix"]
    reply = (jam.id, corpus["jam_reply"].id)
    assert as_set(reader, "tag:printers") == {first(jam), reply, first(fix)}
    assert as_set(reader, "tag:social-media") == {first(jam), reply}
    assert as_set(reader, "", tag="Social Media") == {first(jam), reply}
    assert as_set(reader, "toner tag:social-media") == {reply}


def test_author_filter_by_email_local_part_or_name(corpus) -> None:
    reader, jam = corpus["reader"], corpus["jam"]
    priya_docs = {first(jam), first(corpus["story"])}
    assert as_set(reader, "author:priya.shah") == priya_docs
    assert as_set(reader, "author:priya") == priya_docs
    assert as_set(reader, "author:Shah") == priya_docs
    assert as_set(reader, 'author:"Priya Shah"') == priya_docs
    assert as_set(reader, "author:hughes") == {
        (jam.id, corpus["jam_reply"].id),
        first(corpus["fix"]),
    }
    assert as_set(reader, "", author="priya.shah@example.org") == priya_docs
    assert as_set(reader, "", author="Tom Hughes") == {
        (jam.id, corpus["jam_reply"].id),
        first(corpus["fix"]),
    }


def test_date_range_and_after_before(corpus) -> None:
    reader, jam = corpus["reader"], corpus["jam"]
    reply = (jam.id, corpus["jam_reply"].id)
    assert as_set(reader, "date:2026-01-01..2026-01-10") == {first(jam)}
    assert as_set(reader, "date:2026-01") == {first(jam), reply}
    assert as_set(reader, "date:2026-02-01..2026-03-31") == {
        first(corpus["fix"]),
        first(corpus["story"]),
    }
    assert as_set(reader, "jam after:2026-01-11") == {reply, first(corpus["story"])}
    assert as_set(reader, "jam before:2026-01-11") == {first(jam)}


def test_filter_only_searches_list_newest_first(corpus) -> None:
    # Threads by their newest matching post; within the thread, its posts newest first too.
    assert hits(corpus["reader"], "date:2026") == [
        first(corpus["story"]),
        first(corpus["fix"]),
        (corpus["jam"].id, corpus["jam_reply"].id),
    ]
    assert found(corpus["reader"], "date:2026") == [
        first(corpus["story"]),
        first(corpus["fix"]),
        (corpus["jam"].id, corpus["jam_reply"].id),
        first(corpus["jam"]),
    ]


def test_snippets_mark_matches(corpus) -> None:
    outcome = services.search(corpus["reader"], q="duplex")
    assert outcome.page.items[0].snippet_html == (
        "The printer in the east wing jams on every <mark>duplex</mark> job."
    )


def test_long_texts_give_the_passages_around_matches(app) -> None:
    filler = " ".join(f"word{n}" for n in range(200))
    make_thread(make_board(), title="Long one", body=f"{filler} needle {filler} needle end")
    snippet = services.search(make_user(), q="needle").page.items[0].snippet_html
    assert snippet.count("<mark>needle</mark>") == 2
    assert snippet.startswith("… word") and " … " in snippet and len(snippet) < 700
    assert snippet.endswith("<mark>needle</mark> end")


def test_markup_in_a_post_never_reaches_a_snippet_as_html(app) -> None:
    board = make_board()
    vectors = [
        "<script>alert('x')</script> payload",
        "<img src=x onerror=alert(1)> payload",
        "payload <b onmouseover=alert(1)>bold</b>",
        "`<script>alert(1)</script>` payload in code",
        "    <iframe src=javascript:alert(1)></iframe> payload indented code",
        "payload &lt;script&gt;alert(1)&lt;/script&gt; entities",
        "payload <svg/onload=alert(1)>",
        '[payload](javascript:alert(1)) "><script>alert(1)</script>',
    ]
    for body in vectors:
        make_thread(board, title="Payload test", body=body)
    outcome = services.search(make_user(), q="payload")
    assert len(outcome.page.items) == len(vectors)
    for row in outcome.page.items:
        html = row.snippet_html
        stripped = html.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in stripped and ">" not in stripped, html
        assert "<mark>payload</mark>" in html


def test_a_member_never_sees_another_departments_board(app) -> None:
    housing, parks = make_department(), make_department()
    housing_board = make_board(department=housing)
    parks_board = make_board(department=parks)
    staff_board = make_board()
    in_housing = make_thread(housing_board, title="Boiler inspection rota")
    in_parks = make_thread(parks_board, title="Boiler in the pavilion")
    open_to_all = make_thread(staff_board, title="Boiler safety basics")
    make_reply(in_parks, body="The boiler is fixed.")

    gardener = make_user(department=parks)
    tenant_officer = make_user(department=housing)
    senior = make_user(Role.SENIOR, department=housing)
    assert {t for t, _ in hits(gardener, "boiler")} == {in_parks.id, open_to_all.id}
    assert {t for t, _ in hits(tenant_officer, "boiler")} == {in_housing.id, open_to_all.id}
    assert {t for t, _ in hits(senior, "boiler")} == {in_housing.id, in_parks.id, open_to_all.id}
    # Naming the hidden board changes nothing.
    assert hits(tenant_officer, f"boiler board:{parks_board.slug}") == []
    assert hits(tenant_officer, "boiler", board=parks_board.slug) == []
    assert services.search(tenant_officer, q="boiler").page.total == 2


def test_twenty_hits_a_page(app) -> None:
    board = make_board()
    start = utc(2026, 1, 1)
    threads = [
        make_thread(
            board,
            title=f"Kettle report {n}",
            body="The kettle is broken.",
            now=start + dt.timedelta(days=n),
        )
        for n in range(23)
    ]
    reader = make_user()
    first_page = services.search(reader, q="kind:question")
    second_page = services.search(reader, q="kind:question", page=2)
    assert first_page.page.total == second_page.page.total == 23
    assert len(first_page.page.items) == 20 and first_page.page.has_next
    assert len(second_page.page.items) == 3 and second_page.page.has_prev
    seen = [row.thread_id for row in first_page.page.items + second_page.page.items]
    assert seen == [thread.id for thread in reversed(threads)]
    assert services.search(reader, q="kind:question", page=3).page.items == []


def test_nothing_asked_is_not_a_search(app) -> None:
    make_thread(make_board(), title="Anything")
    outcome = services.search(make_user(), q="   ")
    assert not outcome.asked and outcome.page.items == []


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"q": "x" * 501}, "q"),
        ({"q": "printer date:someday"}, "q"),
        ({"q": "printer", "kind": "rant"}, "kind"),
        ({"q": "printer", "page": 0}, "page"),
    ],
)
def test_bad_requests_are_invalid(app, arguments, field) -> None:
    with pytest.raises(Invalid) as caught:
        services.search(make_user(), **arguments)
    assert field in caught.value.fields


@pytest.mark.parametrize(
    "q",
    [
        "(((",
        "AND OR",
        "NOT",
        '"',
        "a:b:c",
        "*",
        "title:",
        "[a TO",
        "(-toner) jam",
        "(+a)",
        "-",
        "+",
        "kind:",
        "board:",
        "a^",
        "~2",
        "{a TO b}",
        "author:(",
        "tag:'x",
        "NOT -a",
        "' OR '",
    ],
)
def test_odd_syntax_never_fails(app, q) -> None:
    make_thread(make_board(), title="Something")
    outcome = services.search(make_user(), q=q)
    assert outcome.asked
