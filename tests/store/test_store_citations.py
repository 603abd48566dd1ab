"""Citation links in the store: whole lists replaced at once, who cites whom from either list, kept papers due."""

from __future__ import annotations

from datetime import timedelta

from kb.models import CitationLists, LinkedPaper, Status, TriageChange
from kb.store import Store
from tests.store.store_helpers import at, paper

A, B, C, D = "arxiv:2611.00001", "arxiv:2611.00002", "arxiv:2611.00003", "arxiv:2611.00004"


def linked(key: str | None, title: str = "t") -> LinkedPaper:
    return LinkedPaper(title=title, arxiv_id=key, s2_id=f"s2-{key}")


def seeded(store: Store) -> None:
    store.upsert_items([paper(key.removeprefix("arxiv:")) for key in (A, B, C, D)], "arxiv", now=at(0))


def test_lists_are_replaced_whole_and_read_back_in_order(store: Store) -> None:
    seeded(store)
    first = CitationLists(A, references=(linked(B, "b"), linked(None, "outside")), citations=(linked(C, "c"),))
    store.save_citations(first, now=at(1))
    again = store.citations(A)
    assert again is not None and again.fetched_at == at(1)
    assert [p.title for p in again.references] == ["b", "outside"] and [p.title for p in again.citations] == ["c"]
    store.save_citations(CitationLists(A, references=(linked(D, "d"),)), now=at(2))
    latest = store.citations(A)
    assert latest is not None and [p.title for p in latest.references] == ["d"] and latest.citations == ()
    assert store.citations(B) is None


def test_a_failed_fetch_keeps_the_lists_it_had(store: Store) -> None:
    seeded(store)
    store.save_citations(CitationLists(A, references=(linked(B),)), now=at(1))
    store.save_citations(CitationLists(A, error="Semantic Scholar: HTTP 500"), now=at(2))
    kept = store.citations(A)
    assert kept is not None and len(kept.references) == 1 and kept.fetched_at == at(1)
    assert kept.error == "Semantic Scholar: HTTP 500"


def test_who_cites_whom_is_read_from_either_list(store: Store) -> None:
    seeded(store)
    store.save_citations(CitationLists(A, references=(linked(B), linked("arxiv:9999.99999"))), now=at(1))
    store.save_citations(CitationLists(C, citations=(linked(D),)), now=at(1))  # D cites C
    assert store.cited_by(A) == {B}  # not the paper outside the workspace
    assert store.citing(B) == {A}
    assert store.citing(C) == {D} and store.cited_by(D) == {C}
    assert store.citing(A) == set() and store.cited_by(B) == set()


def test_kept_papers_are_due_until_fetched_and_again_after_the_refresh_time(store: Store) -> None:
    seeded(store)
    store.set_triage(A, TriageChange(starred=True))
    store.set_triage(B, TriageChange(tags=("rl",)))
    assert store.citations_due(at(10), 10) == [A, B]
    store.save_citations(CitationLists(A), now=at(5))
    assert store.citations_due(at(5) - timedelta(seconds=1), 10) == [B]
    assert store.citations_due(at(6), 10) == [B, A]  # the never fetched first
    assert store.citations_due(at(6), 1) == [B]


def test_new_items_citing_starred_papers_are_filed_under_the_source_once(store: Store) -> None:
    seeded(store)
    store.set_triage(A, TriageChange(starred=True))
    store.set_triage(B, TriageChange(starred=True))
    store.save_citations(CitationLists(A, citations=(linked(C), linked(D))), now=at(1))
    store.save_citations(CitationLists(C, references=(linked(B),)), now=at(1))
    store.set_triage(D, TriageChange(status=Status.READ))
    assert store.citing_starred() == {C: {A, B}, D: {A}}
    before = store.index_position()
    assert store.mark_citing_starred("citing-starred", now=at(2)) == [C]
    assert store.index_position() > before  # the index learns of the new source
    item = store.get_item(C)
    assert item is not None and "citing-starred" in item.sources
    assert store.mark_citing_starred("citing-starred", now=at(3)) == []
