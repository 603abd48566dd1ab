"""Storing fetched items: identity, sources, versions, updates, and triage state left alone."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from store_helpers import T0, at, paper, post

from kb.errors import UsageError
from kb.models import Author, FetchedItem, ItemFilter, Kind, Status, UpsertReport
from kb.store import Store


def test_a_new_paper_is_stored_as_fetched(store: Store) -> None:
    item = paper(comment="10 pages", doi="10.1/x", journal_ref="J. Test 1 (2026)")
    assert store.upsert_items([item], "cs.LG", now=T0) == UpsertReport(new=(item.id,))
    stored = store.get_item(item.id)
    assert stored is not None
    assert (stored.kind, stored.title, stored.summary, stored.url) == (
        Kind.PAPER,
        item.title,
        item.summary,
        item.url,
    )
    assert stored.authors == item.authors  # order and affiliations kept
    assert stored.categories == ("cs.LG", "stat.ML")  # primary first
    assert (stored.published, stored.updated) == (item.published, item.updated)
    assert (stored.version, stored.previous_version) == (1, None)
    assert (stored.comment, stored.doi, stored.journal_ref, stored.pdf_url) == (
        "10 pages", "10.1/x", "J. Test 1 (2026)", item.pdf_url,
    )  # fmt: skip
    assert stored.sources == ("cs.LG",)
    assert (stored.status, stored.starred, stored.tags) == (Status.NEW, False, ())
    assert stored.first_seen == T0
    assert stored.has_metadata
    assert store.paper_versions(item.id) == [(1, T0)]


def test_dates_are_kept_as_utc_instants_whatever_zone_they_came_in(store: Store) -> None:
    eastern = timezone(timedelta(hours=-5))
    item = paper(published=datetime(2026, 11, 1, 19, 0, tzinfo=eastern), updated=datetime(2026, 11, 2, 3, 4, 5, 6))
    store.upsert_items([item], "rss", now=datetime(2026, 11, 20, 9, 0, tzinfo=timezone(timedelta(hours=1))))
    stored = store.get_item(item.id)
    assert stored is not None
    assert stored.published == datetime(2026, 11, 2, 0, 0, tzinfo=UTC) and stored.published.tzinfo is UTC
    assert stored.updated == datetime(2026, 11, 2, 3, 4, 5, 6, tzinfo=UTC)  # naive means UTC
    assert stored.first_seen == T0


def test_storing_the_same_data_again_changes_nothing(store: Store) -> None:
    item = paper()
    store.upsert_items([item], "cs.LG", now=T0)
    before = store.get_item(item.id)
    assert store.upsert_items([item], "cs.LG", now=at(1)) == UpsertReport(unchanged=1)
    assert store.get_item(item.id) == before


def test_one_paper_from_several_sources_is_one_item_remembering_each(store: Store) -> None:
    item = paper()
    store.upsert_items([item], "cs.LG", now=T0)
    before = store.get_item(item.id)
    assert store.upsert_items([item], "hinton", now=at(1)) == UpsertReport(unchanged=1)
    assert store.upsert_items([item], "stat.ML", now=at(2)) == UpsertReport(unchanged=1)
    after = store.get_item(item.id)
    assert after is not None and before is not None
    assert after.sources == ("cs.LG", "hinton", "stat.ML")  # in the order first seen
    assert dataclasses.replace(after, sources=before.sources) == before
    assert store.count_items(ItemFilter()) == 1


def test_a_newer_version_updates_metadata_and_remembers_the_versions(store: Store) -> None:
    store.upsert_items([paper(version=1, comment="v1 comment")], "cs.LG", now=T0)
    v2 = paper(
        version=2,
        title="Better title",
        summary="Better abstract.",
        authors=(Author("Alan Turing"), Author("Grace Hopper", ("Navy",))),
        categories=("stat.ML",),
        comment="v2 comment",
        doi="10.2/y",
        journal_ref="Nature 1 (2027)",
        updated=at(30),
        pdf_url="https://arxiv.org/pdf/2611.00001v2",
    )
    assert store.upsert_items([v2], "cs.LG", now=at(24)) == UpsertReport(updated=(v2.id,))
    stored = store.get_item(v2.id)
    assert stored is not None
    assert (stored.title, stored.summary, stored.authors, stored.categories) == (
        "Better title", "Better abstract.", v2.authors, ("stat.ML",),
    )  # fmt: skip
    assert (stored.comment, stored.doi, stored.journal_ref) == ("v2 comment", "10.2/y", "Nature 1 (2027)")
    assert (stored.version, stored.previous_version) == (2, 1)
    assert (stored.updated, stored.pdf_url) == (at(30), v2.pdf_url)
    assert stored.first_seen == T0  # still the day it first arrived
    assert store.paper_versions(v2.id) == [(1, T0), (2, at(24))]


def test_updates_never_touch_triage_state(store: Store) -> None:
    store.upsert_items([paper(version=1)], "cs.LG", now=T0)
    store.set_status("arxiv:2611.00001", Status.READ, now=at(1))
    store.set_starred("arxiv:2611.00001", True, now=at(2))
    store.set_tags("arxiv:2611.00001", ["transformers"], now=at(3))
    before = store.get_item("arxiv:2611.00001")
    store.upsert_items([paper(version=2, title="New")], "other", now=at(4))
    store.upsert_items([paper(version=2, title="New", doi="10.1/z")], "other", now=at(5))
    after = store.get_item("arxiv:2611.00001")
    assert before is not None and after is not None
    triage = ("status", "starred", "tags", "status_changed", "starred_changed", "tags_changed")
    assert [getattr(after, f) for f in triage] == [getattr(before, f) for f in triage]
    assert (after.status, after.starred, after.tags) == (Status.READ, True, ("transformers",))


def test_an_older_version_arriving_later_changes_nothing(store: Store) -> None:
    store.upsert_items([paper(version=3, title="v3 title")], "cs.LG", now=T0)
    before = store.get_item("arxiv:2611.00001")
    stale = paper(version=2, title="v2 title", doi="10.9/stale")
    assert store.upsert_items([stale], "cs.LG", now=at(1)) == UpsertReport(unchanged=1)
    assert store.get_item("arxiv:2611.00001") == before
    assert store.paper_versions("arxiv:2611.00001") == [(3, T0)]


def test_a_doi_or_journal_ref_appearing_later_is_an_update_of_those_fields_only(store: Store) -> None:
    store.upsert_items([paper(version=1)], "cs.LG", now=T0)
    # RSS and the API render the same version's title differently: that alone is not a change.
    reworded = paper(version=1, title="Paper  2611.00001 (as RSS says it)")
    assert store.upsert_items([reworded], "rss", now=at(1)) == UpsertReport(unchanged=1)
    with_doi = paper(version=1, title="Reworded", doi="10.1/new")
    assert store.upsert_items([with_doi], "api", now=at(2)) == UpsertReport(updated=(with_doi.id,))
    with_ref = paper(version=1, journal_ref="JMLR 27 (2026)")
    assert store.upsert_items([with_ref], "api", now=at(3)) == UpsertReport(updated=(with_ref.id,))
    stored = store.get_item(with_doi.id)
    assert stored is not None
    assert (stored.title, stored.doi, stored.journal_ref) == (
        "Paper 2611.00001",
        "10.1/new",
        "JMLR 27 (2026)",
    )
    assert store.paper_versions(with_doi.id) == [(1, T0)]


def test_an_empty_field_never_erases_a_stored_one(store: Store) -> None:
    full = paper(version=1, comment="12 pages", doi="10.1/x", journal_ref="J 1")
    store.upsert_items([full], "api", now=T0)
    assert store.upsert_items([paper(version=1)], "rss", now=at(1)) == UpsertReport(unchanged=1)
    # RSS carries no journal_ref, comment or update date.
    store.upsert_items([paper(version=2, updated=None, pdf_url=None)], "rss", now=at(2))
    stored = store.get_item(full.id)
    assert stored is not None
    assert (stored.version, stored.comment, stored.doi) == (2, "12 pages", "10.1/x")
    assert (stored.journal_ref, stored.updated, stored.pdf_url) == ("J 1", full.updated, full.pdf_url)


def test_a_post_is_updated_when_its_title_text_or_html_change(store: Store) -> None:
    item = post()
    assert store.upsert_items([item], "Lil'Log", now=T0).new == (item.id,)
    assert store.upsert_items([item], "Lil'Log", now=at(1)) == UpsertReport(unchanged=1)
    changes: list[dict[str, Any]] = [{"title": "Renamed"}, {"summary": "Edited."}, {"html": "<p>Edited.</p>"}]
    for n, change in enumerate(changes):
        item = dataclasses.replace(item, **change)
        assert store.upsert_items([item], "Lil'Log", now=at(2 + n)) == UpsertReport(updated=(item.id,))
    stored = store.get_item(item.id)
    assert stored is not None
    assert (stored.kind, stored.title, stored.summary, stored.html) == (
        Kind.POST, "Renamed", "Edited.", "<p>Edited.</p>",
    )  # fmt: skip
    assert (stored.feed, stored.first_seen, stored.version) == ("Lil'Log", T0, None)


def test_a_batch_with_the_same_paper_twice_keeps_the_newest_version(store: Store) -> None:
    report = store.upsert_items([paper(version=1), paper(version=2, title="two"), paper(version=1)], "q", now=T0)
    assert report == UpsertReport(new=("arxiv:2611.00001",))
    stored = store.get_item("arxiv:2611.00001")
    assert stored is not None and (stored.version, stored.title) == (2, "two")


def test_a_report_lists_new_and_updated_in_input_order_and_counts_the_rest(store: Store) -> None:
    store.upsert_items([paper("2611.00002"), paper("2611.00003")], "q", now=T0)
    batch = [paper("2611.00009"), paper("2611.00003", version=2), paper("2611.00002"), paper("2611.00004")]
    assert store.upsert_items(batch, "q", now=at(1)) == UpsertReport(
        new=("arxiv:2611.00009", "arxiv:2611.00004"), updated=("arxiv:2611.00003",), unchanged=1
    )


def test_placeholders_are_made_for_unknown_ids_only(store: Store) -> None:
    store.upsert_items([paper("2611.00001")], "q", now=T0)
    created = store.ensure_papers(["arxiv:2611.00001", "2611.00002v3", "hep-th/9901001", "2611.00002"], now=at(1))
    assert created == ["arxiv:2611.00002", "arxiv:hep-th/9901001"]
    assert store.ensure_papers(["arxiv:2611.00002"]) == []
    assert store.papers_without_metadata() == ["arxiv:2611.00002", "arxiv:hep-th/9901001"]
    placeholder = store.get_item("arxiv:2611.00002")
    assert placeholder is not None
    assert (placeholder.has_metadata, placeholder.title, placeholder.kind) == (False, "", Kind.PAPER)
    assert placeholder.url == "https://arxiv.org/abs/2611.00002"


def test_a_placeholder_filled_by_a_fetch_counts_as_new_and_keeps_triage(store: Store) -> None:
    store.ensure_papers(["arxiv:2611.00005"], now=T0)
    store.set_starred("arxiv:2611.00005", True, now=at(1))
    filled = paper("2611.00005", version=2)
    assert store.upsert_items([filled], "ids", now=at(2)) == UpsertReport(new=(filled.id,))
    stored = store.get_item(filled.id)
    assert stored is not None
    assert (stored.has_metadata, stored.title, stored.version, stored.authors) == (
        True,
        filled.title,
        2,
        filled.authors,
    )
    assert (stored.starred, stored.starred_changed) == (True, at(1))
    assert stored.first_seen == at(2)  # known by id before, new to the person now
    assert store.papers_without_metadata() == []
    assert store.paper_versions(filled.id) == [(2, at(2))]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (paper(id="arxiv:2611.00001v2"), "not a paper id"),
        (paper(id="2611.00001"), "not a paper id"),
        (paper(id="arxiv:nonsense"), "not a paper id"),
        (post(id="arxiv:2611.00001"), "not a post id"),
        (FetchedItem(id="note:a.md", kind=Kind.NOTE, title="", summary="", url=""), "notes are not stored"),
    ],
)
def test_bad_items_are_refused_with_one_line_and_nothing_of_the_batch_is_stored(
    store: Store, bad: FetchedItem, message: str
) -> None:
    with pytest.raises(UsageError, match=message) as raised:
        store.upsert_items([paper("2611.00007"), bad], "q")
    assert "\n" not in str(raised.value)
    assert store.get_item("arxiv:2611.00007") is None


def test_an_empty_batch_stores_nothing(store: Store) -> None:
    assert store.upsert_items([], "q") == UpsertReport()
    assert store.count_items(ItemFilter()) == 0


def test_an_unnamed_source_is_refused(store: Store) -> None:
    with pytest.raises(UsageError, match="name of the source"):
        store.upsert_items([paper()], "  ")


def test_ensure_papers_refuses_what_is_not_an_arxiv_id(store: Store) -> None:
    with pytest.raises(UsageError, match="not an arXiv id"):
        store.ensure_papers(["arxiv:2611.00001", "doi:10.1/x"])
    assert store.get_item("arxiv:2611.00001") is None


def test_the_earliest_publication_date_wins(store: Store) -> None:
    # RSS dates a replacement on the day it is announced; the API then gives the date of version 1.
    store.upsert_items([paper(version=7, published=datetime(2026, 6, 29, tzinfo=UTC))], "arxiv", now=at(0))
    report = store.upsert_items([paper(version=7, published=datetime(2017, 6, 12, tzinfo=UTC))], "attention", now=at(1))
    assert report.updated == ("arxiv:2611.00001",)
    stored = store.get_item("arxiv:2611.00001")
    assert stored is not None and stored.published == datetime(2017, 6, 12, tzinfo=UTC)
    again = store.upsert_items([paper(version=8, published=datetime(2026, 7, 1, tzinfo=UTC))], "arxiv", now=at(2))
    assert again.updated == ("arxiv:2611.00001",)
    stored = store.get_item("arxiv:2611.00001")
    assert stored is not None and stored.published == datetime(2017, 6, 12, tzinfo=UTC) and stored.version == 8
