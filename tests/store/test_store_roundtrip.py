"""Whatever a feed says comes back exactly: unicode, control characters, NULs, huge strings; and real data."""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import T0, paper, post, recorded_papers

from kb.models import Author, FetchedItem, ItemFilter, Note
from kb.store import Store
from tests.support.workspace import FIXTURES

# Every code point a Python str can carry through UTF-8: control characters and NUL included.
text = st.text(st.characters(codec="utf-8"), max_size=300)
authors = st.lists(st.builds(Author, text, st.lists(text, max_size=3).map(tuple)), max_size=8).map(tuple)
moments = st.datetimes(timezones=st.just(UTC)) | st.none()
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One store for all examples (each example stores a fresh id)."""
    with Store.open(tmp_path_factory.mktemp("roundtrip") / "kb.sqlite") as store:
        yield store


def _fields(item: FetchedItem) -> tuple[object, ...]:
    return (
        item.title,
        item.summary,
        item.url,
        item.authors,
        item.published,
        item.updated,
        item.comment,
        item.doi,
    )


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=text, summary=text, url=text, people=authors, published=moments, updated=moments, extra=text)
def test_any_paper_text_round_trips(
    shared: Store,
    title: str,
    summary: str,
    url: str,
    people: tuple[Author, ...],
    published: datetime | None,
    updated: datetime | None,
    extra: str,
) -> None:
    item = paper(
        f"2611.{next(_numbers):05d}",
        title=title, summary=summary, url=url, authors=people, published=published, updated=updated,
        comment=extra, doi=extra or None, categories=(extra,) if extra else (),
    )  # fmt: skip
    source = extra if extra.strip() else "source"
    shared.upsert_items([item], source, now=T0)
    stored = shared.get_item(item.id)
    assert stored is not None
    assert (stored.title, stored.summary, stored.url, stored.authors, stored.published, stored.updated) == (
        title, summary, url, people, published, updated,
    )  # fmt: skip
    assert (stored.comment, stored.doi, stored.categories, stored.sources) == (
        extra, extra or None, item.categories, (source,),
    )  # fmt: skip


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tags=st.lists(text, max_size=6), title=text, html=text | st.none())
def test_any_tags_and_post_text_round_trip(shared: Store, tags: list[str], title: str, html: str | None) -> None:
    item = post(guid=f"guid-{next(_numbers)}", title=title, html=html)
    shared.upsert_items([item], "feed")
    stored = shared.set_tags(item.id, tags)
    assert stored.tags == tuple(sorted({t.strip().lower() for t in tags} - {""}))
    assert (stored.title, stored.html) == (title, html)
    if stored.tags:
        assert item.id in {i.id for i in shared.list_items(ItemFilter(tag=stored.tags[0]))}


def test_huge_strings_and_long_author_lists_round_trip(store: Store) -> None:
    huge = ("Ω\x00\x1b[31m\u202e" + "x" * 997) * 2_000  # 2 MB of text with NUL, ESC and a bidi override
    people = tuple(Author(f"Author {n} \x00", (huge[:50],)) for n in range(3_000))
    item = paper(title=huge, summary=huge + "!", authors=people, comment=huge[:10_000])
    store.upsert_items([item], "big", now=T0)
    stored = store.get_item(item.id)
    assert stored is not None
    assert (stored.title, stored.summary, stored.authors, stored.comment) == (
        huge,
        huge + "!",
        people,
        huge[:10_000],
    )


def test_note_text_round_trips(store: Store) -> None:
    odd = "Tab\tNUL\x00 ESC\x1b CR\r ünï 🧪 \u2028"
    store.save_notes([Note(odd + ".md", odd, "", tags=(odd,), papers=("arxiv:1706.03762",), note_links=(odd,))])
    cached = store.note_records()[odd + ".md"]
    assert (cached.title, cached.tags, cached.note_links) == (odd, (odd,), (odd,))


def test_recorded_api_responses_store_and_read_back(store: Store) -> None:
    every: dict[str, FetchedItem] = {}
    for path in sorted((FIXTURES / "arxiv-api").glob("*.xml")):  # a search excerpt and single papers
        items = recorded_papers(path)
        report = store.upsert_items(items, "recorded", now=T0)
        assert len(report.new) + len(report.updated) + report.unchanged == len({i.id for i in items})
        every.update({i.id: i for i in items})
    assert store.count_items(ItemFilter(source="recorded")) == len(every) >= 20
    for item in every.values():
        stored = store.get_item(item.id)
        assert stored is not None and _fields(stored) == _fields(item)  # type: ignore[arg-type]


def test_recorded_papers_with_affiliations_old_ids_and_many_authors(store: Store) -> None:
    api = FIXTURES / "arxiv-api"
    old_style = recorded_papers(next(api.glob("api2026_id_astro-ph_0601001_*.xml")))
    many = recorded_papers(next(api.glob("api2026_id_1707.08567_*.xml")))
    attention = recorded_papers(api / "api2026_id_1706.03762_attention_is_all_you_need_v7.xml")
    store.upsert_items([*old_style, *many, *attention], "ids", now=T0)
    astro = store.get_item("arxiv:astro-ph/0601001")
    assert astro is not None and len(astro.authors) == 4 and all(a.affiliations for a in astro.authors)
    assert astro.journal_ref == "ActaAstron.56:1-50,2006"
    wubben = store.get_item("arxiv:1707.08567")
    assert wubben is not None and len(wubben.authors) == 34
    assert "Dirk Wübben" in [a.name for a in wubben.authors]
    paper_v7 = store.get_item("arxiv:1706.03762")
    assert paper_v7 is not None and paper_v7.version == 7 and paper_v7.title == "Attention Is All You Need"
    # The same paper seen at v7 from RSS later, where it shows up as a stale v5: nothing changes.
    stale = dataclasses.replace(attention[0], version=5, title="Old")
    assert store.upsert_items([stale], "cs.CL").unchanged == 1
    assert store.get_item("arxiv:1706.03762") == dataclasses.replace(paper_v7, sources=("ids", "cs.CL"))
