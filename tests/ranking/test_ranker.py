"""The Ranker on histories built in a real store: it falls back to recency, learns, explains, round-trips."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.library.ranking.ranker import MIN_EACH, MIN_LABELLED, Ranker, rank
from kb.models import Author, FetchedItem, Item, Kind, Status
from kb.store import Store
from tests.notes.corpus_items import items_from_api
from tests.ranking.helpers import DIFFUSION, SECURITY, day, liked_and_disliked, paper, stored, themed

TESTING_API = "arxiv-api/api2026_q_testing_s0_m100_cfe7536492ca.xml"


def newcomers(store: Store) -> tuple[Item, Item]:
    """A new diffusion paper by Jonathan Ho and a new security survey, arrived after the history."""
    rng = random.Random(99)
    liked = themed(900, DIFFUSION, rng, 40, authors=("Jonathan Ho",), categories=("cs.CV",))
    disliked = themed(901, SECURITY, rng, 41, authors=("Dee Evans",), categories=("cs.CR",))
    store.upsert_items([liked, disliked], "test", now=day(41))
    found = store.get_items([liked.id, disliked.id])
    return found[0], found[1]


def test_too_little_history_means_newest_first(store: Store) -> None:
    rng = random.Random(1)
    older, newer = themed(1, DIFFUSION, rng, 1), themed(2, SECURITY, rng, 2)
    store.upsert_items([older, newer], "test", now=day(2))
    store.set_starred(older.id, True, now=day(3))
    ranker = Ranker().fit(stored(store))
    assert not ranker.learned
    ranked = rank(ranker, stored(store))
    assert [item.id for item, _, _ in ranked] == [newer.id, older.id]
    assert {score for _, score, _ in ranked} == {0.5}
    why = ranked[0][2]
    assert why.startswith("newest first") and f"{MIN_LABELLED} items" in why
    assert "so far 1 wanted, 1 not" in why  # the newer paper was passed over: it arrived before the star


def test_one_side_alone_is_not_enough(store: Store) -> None:
    rng = random.Random(2)
    items = [themed(n, DIFFUSION, rng, n) for n in range(MIN_LABELLED + 5)]
    store.upsert_items(items, "test", now=day(0))
    for item in items:  # all wanted, none skipped, nothing passed over (all arrived before the triage... and read)
        store.set_status(item.id, Status.READ, now=day(1))
    assert not Ranker().fit(stored(store)).learned


def test_learns_what_the_person_reads_and_skips(store: Store) -> None:
    liked_and_disliked(store)
    ranker = Ranker().fit(stored(store))
    assert ranker.learned and ranker.wanted == 30 and ranker.unwanted == 30
    liked, disliked = newcomers(store)
    assert ranker.score(liked) > 0.7 > 0.3 > ranker.score(disliked)
    assert [item.id for item, _, _ in rank(ranker, [disliked, liked])] == [liked.id, disliked.id]
    why = ranker.explain(liked)
    assert "+ author Ho J." in why and "+ cs.CV" in why and "+ diffusion" in why
    against = ranker.explain(disliked)
    assert against.startswith("- ") and "cs.CR" in against


def test_a_starred_item_that_was_skipped_still_counts_as_wanted(store: Store) -> None:
    item = paper(1, "Diffusion")
    store.upsert_items([item], "test", now=day(0))
    store.set_status(item.id, Status.SKIPPED, now=day(1))
    store.set_starred(item.id, True, now=day(1))
    ranker = Ranker().fit(stored(store))
    assert (ranker.wanted, ranker.unwanted) == (1, 0)


def test_noted_papers_are_named(store: Store) -> None:
    items = liked_and_disliked(store)
    noted = items[0].id  # a diffusion paper
    ranker = Ranker(noted={noted}).fit(stored(store))
    liked, _ = newcomers(store)
    assert "in your notes" in ranker.explain(store.get_items([noted])[0])
    assert 'similar to "' in ranker.explain(liked) and '" in your notes' in ranker.explain(liked)


def test_a_person_who_never_skips_is_learned_from_what_they_pass_over(store: Store) -> None:
    rng = random.Random(3)
    for n in range(40):
        liked = themed(2 * n, DIFFUSION, rng, n, authors=("Jonathan Ho",), categories=("cs.CV",))
        passed = themed(2 * n + 1, SECURITY, rng, n, categories=("cs.CR",))
        store.upsert_items([liked, passed], "test", now=day(n))
        store.set_starred(liked.id, True, now=day(n + 0.5))  # the security paper is left new
    ranker = Ranker().fit(stored(store))
    assert ranker.learned and ranker.unwanted >= MIN_EACH
    newcomer_liked, newcomer_disliked = newcomers(store)
    assert ranker.score(newcomer_liked) > ranker.score(newcomer_disliked)


def test_round_trips_through_json(store: Store) -> None:
    items = liked_and_disliked(store)
    ranker = Ranker(noted={items[0].id}).fit(stored(store))
    again = Ranker.from_dict(json.loads(json.dumps(ranker.to_dict())))
    everything = stored(store)
    assert [ranker.assess(i) for i in everything] == [again.assess(i) for i in everything]
    assert again.learned and again.wanted == ranker.wanted


def test_placeholders_without_metadata_are_ignored(store: Store) -> None:
    liked_and_disliked(store)
    store.ensure_papers(["arxiv:2611.99999"], now=day(50))
    placeholder = store.get_item("arxiv:2611.99999")
    assert placeholder is not None and not placeholder.has_metadata
    ranker = Ranker().fit(stored(store))
    assert 0 <= ranker.score(placeholder) <= 1
    assert "\n" not in ranker.explain(placeholder)


def test_real_arxiv_papers_are_ranked_by_what_was_liked(store: Store, corpus: Path) -> None:
    """The 100 papers of a recorded API search: read those about software testing, skip the rest, over
    70 of them; the other 30 come in ranked with the software-testing ones first."""
    papers = items_from_api(corpus / TESTING_API)
    wanted = {p.id for p in papers if "software" in f"{p.title} {p.summary}".lower()}
    assert 15 < len(wanted) < 70
    fetched = [
        FetchedItem(id=p.id, kind=p.kind, title=p.title, summary=p.summary, url=p.url, authors=p.authors,
                    published=p.published, categories=p.categories)
        for p in papers
    ]  # fmt: skip
    store.upsert_items(fetched, "testing", now=day(0))
    for p in papers[:70]:
        store.set_status(p.id, Status.READ if p.id in wanted else Status.SKIPPED, now=day(1))
    ranker = Ranker().fit(stored(store))
    later = store.get_items([p.id for p in papers[70:]])
    ranked = [item.id for item, _, _ in rank(ranker, later)]
    hits = sum(item in wanted for item in ranked[:5])
    assert hits >= 4, (hits, sum(item in wanted for item in ranked))
    assert "software" in ranker.explain(store.get_items([ranked[0]])[0])


_TRAINED: list[Ranker] = []


def trained() -> Ranker:
    """One ranker trained on a fixed history, shared by the property test below."""
    if not _TRAINED:
        import tempfile

        with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "kb.sqlite") as store:
            items = liked_and_disliked(store)
            _TRAINED.append(Ranker(noted={items[0].id}).fit(stored(store)))
    return _TRAINED[0]


@given(st.text(), st.text(), st.lists(st.text(max_size=40), max_size=4), st.sampled_from([Kind.PAPER, Kind.POST]))
def test_any_item_gets_a_score_and_one_safe_line(title: str, summary: str, names: list[str], kind: Kind) -> None:
    feed = names[0] if names and kind is Kind.POST else None
    authors = tuple(Author(n) for n in names)
    item = Item(id="arxiv:2611.77777", kind=kind, title=title, summary=summary, url="", authors=authors, feed=feed)
    score, why = trained().assess(item)
    assert 0.0 <= score <= 1.0
    assert why and "\n" not in why and "\x1b" not in why
    assert why.count(", ") < 8


@pytest.mark.parametrize("name", ["Ann Lee\x1b[31m", "Bo\nChen"])
def test_names_in_explanations_are_terminal_safe(store: Store, name: str) -> None:
    liked_and_disliked(store)
    rng = random.Random(5)
    for n in range(10):
        item = themed(500 + n, DIFFUSION, rng, 35, authors=(name,))
        store.upsert_items([item], "test", now=day(35))
        store.set_starred(item.id, True, now=day(36))
    ranker = Ranker().fit(stored(store))
    why = ranker.explain(store.get_items(["arxiv:2611.00500"])[0])
    assert "\x1b" not in why and "\n" not in why


def test_scoring_without_vectors_gives_the_vectors_score(store: Store) -> None:
    """`score` dots the weights with an item's features without building its vector (the fast path of a
    ranked list): the probability must be the one the vector gives, for papers and posts alike."""
    liked_and_disliked(store)
    ranker = Ranker().fit(stored(store))
    liked, disliked = newcomers(store)
    post = Item(
        id="post:1", kind=Kind.POST, title="Diffusion models explained", summary="A long post on diffusion models.",
        url="https://example.org/1", feed="Lil'Log", authors=(Author("Lilian Weng"),),
    )  # fmt: skip
    for item in [liked, disliked, post, *stored(store)[:20]]:
        vector = ranker._vectorizer.vector(item)  # type: ignore[union-attr]
        assert ranker.score(item) == pytest.approx(ranker._model.probability(vector), abs=1e-12)  # type: ignore[union-attr]
        assert ranker.assess(item)[0] == ranker.score(item)
