"""Benchmark the for-you ranking on a simulated triage history made from the recorded corpus.

The items: every paper of arxiv-api and arxiv-rss and every blog post of blogs/ (~1,050 real documents) is
a "parent" of generated items, 100 a day for 30 days, 70% papers and 30% posts. An item keeps half its
parent's title (the rest from another document's) and 3-6 of its sentences (plus half as many drawn from
anywhere); a paper gets 1-6 authors from the corpus's 468 names and 1-3 of its categories, a post its feed.

The person (a fixed, documented preference: `Preference` below) likes reinforcement learning, language
models, robots, interpretability and diffusion (more when the title says so), eight named authors (drawn
with a fixed seed) and three blogs (Lil'Log, colah's blog, Anthropic Research); they dislike surveys,
security (cs.CR) and The Batch. An item's appeal is the sum of those plus Gaussian noise (sd 0.8); they want
it when the appeal passes 1.2. Each day they triage 75% of the day's items and act against their own taste
8% of the time: a wanted item is read, starred 30% of the time (a starred paper gets a note in notes/ 30%
of the time) and tagged 15%; an unwanted one is skipped. The rest stays new.

Training: a real workspace (SQLite store, notes/ on disk) holding days 1-20 triaged. Ranking: `rank_inbox`
on the items of days 21-30, all still new. Printed: precision at 10 (per day, averaged, and over the whole
10-day inbox) and ROC AUC, against recency-only and random orders; the same for a person who never skips;
how it learns as history grows; timings (rank_inbox trained vs cached; Ranker.fit at 1k, 5k, 20k items).

    python benchmarks/ranking.py [--days 30] [--train-days 20] [--per-day 100] [--scale 20000]
"""

from __future__ import annotations

import argparse
import html
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import corpus_dir
from kb.fetchers.arxiv_atom import parse_api_response
from kb.fetchers.arxiv_rss import parse_announcements
from kb.library import Library, init_workspace
from kb.library.ranking import ranker as ranking
from kb.library.ranking.inbox import rank_inbox
from kb.library.ranking.ranker import Ranker, newest_key
from kb.models import Author, FetchedItem, Item, Kind, Status, post_id
from tests.support.inside import store_of

T = TypeVar("T")

START = datetime(2026, 9, 1, 6, tzinfo=UTC)
POST_SHARE = 0.3  # the rest are papers

# --- the person's fixed preference --------------------------------------------------------------


@dataclass(frozen=True)
class Preference:
    """What the simulated person wants. Phrases match word starts, any case."""

    topics: tuple[str, ...] = ("reinforcement learning", "language model", "robot", "interpretab", "diffusion")
    topic_title: float = 1.6  # a liked topic in the title
    topic_text: float = 1.0  # a liked topic in the abstract
    authors: int = 8  # this many authors, drawn from the corpus (seeded), are liked
    author: float = 1.8
    feeds: tuple[str, ...] = ("Lil'Log", "colah's blog", "Anthropic Research")
    feed: float = 1.5
    dislikes: tuple[str, ...] = ("survey",)
    dislike_categories: tuple[str, ...] = ("cs.CR",)
    dislike_feeds: tuple[str, ...] = ("The Batch | DeepLearning.AI",)
    dislike: float = 2.0
    noise: float = 0.8  # sd of the Gaussian added to each item's appeal
    threshold: float = 1.2  # wanted when the appeal passes this
    triaged: float = 0.75  # share of each day's items the person triages
    contrary: float = 0.08  # share of triage decisions against their own taste


PREFERENCE = Preference()


def _phrase(words: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + ")", re.IGNORECASE)


def appeal(
    item: FetchedItem | Item, liked_authors: set[str], rng: random.Random, pref: Preference = PREFERENCE
) -> float:
    """How much the person likes ``item``: the documented rules plus noise."""
    topics, dislikes = _phrase(pref.topics), _phrase(pref.dislikes)
    score = pref.topic_title * bool(topics.search(item.title)) + pref.topic_text * bool(topics.search(item.summary))
    score += pref.author * bool(liked_authors & {a.name for a in item.authors})
    score += pref.feed * (item.feed in pref.feeds)
    bad = dislikes.search(item.title) or set(item.categories) & set(pref.dislike_categories)
    score -= pref.dislike * bool(bad or item.feed in pref.dislike_feeds)
    return score + (rng.gauss(0, pref.noise) if pref.noise else 0.0)


# --- items from the recorded corpus --------------------------------------------------------------


@dataclass
class Doc:
    """One real document: a parent of generated items."""

    title: str
    sentences: list[str]
    feed: str | None = None


@dataclass
class Corpus:
    docs: list[Doc] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)


def _clean(text: str | None) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text or ""))).strip()


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", _clean(text)) if 30 <= len(s) <= 400]


def load_corpus(folder: Path) -> Corpus:
    """Every paper and post of the corpus, with its sentences; the author and category pools."""
    corpus, seen = Corpus(), set()
    for path in sorted((folder / "arxiv-api").glob("*.xml")):
        for paper in parse_api_response(path.read_bytes()).papers:
            if paper.id in seen:
                continue
            seen.add(paper.id)
            corpus.docs.append(Doc(_clean(paper.title), _sentences(paper.summary)))
            corpus.authors += [_clean(author.name) for author in paper.authors]
            corpus.categories += list(paper.categories)
    for path in sorted((folder / "arxiv-rss").glob("*.xml")):
        for item in parse_announcements(path.read_bytes()).items:
            corpus.docs.append(Doc(_clean(item.title), _sentences(item.summary)))
            corpus.authors += [author.name for author in item.authors]
            corpus.categories += list(item.categories)
    import feedparser  # only the benchmark reads feeds directly; kb does it in kb.fetchers

    for path in sorted((folder / "blogs").glob("*.xml")):
        parsed = feedparser.parse(path.read_bytes())
        feed = _clean(parsed.feed.get("title")) or path.stem
        for entry in parsed.entries:
            body = entry.get("content", [{}])[0].get("value") or entry.get("summary", "")
            corpus.docs.append(Doc(_clean(entry.get("title")), _sentences(body), feed))
    corpus.docs = [d for d in corpus.docs if d.title]
    corpus.authors = sorted({a for a in corpus.authors if a and len(a) < 40})
    corpus.categories = [c for c in corpus.categories if re.fullmatch(r"[a-z\-]+(\.[A-Za-z\-]+)?", c)]
    return corpus


def make_items(corpus: Corpus, days: int, per_day: int, seed: int = 7) -> list[tuple[int, FetchedItem]]:
    """(day, item) for ``days`` days of ``per_day`` distinct items, deterministically."""
    rng = random.Random(seed)
    all_sentences = [s for d in corpus.docs for s in d.sentences]
    out = []
    posts = [d for d in corpus.docs if d.feed is not None]
    for n in range(days * per_day):
        day = n // per_day
        is_post = rng.random() < POST_SHARE
        parent = rng.choice(posts if is_post else corpus.docs)  # a blog's sentences make a fine abstract too
        own = rng.sample(parent.sentences, min(len(parent.sentences), rng.randint(3, 6)))
        summary = " ".join(own + rng.sample(all_sentences, max(1, len(own) // 2)))
        published = START + timedelta(days=day, minutes=rng.randrange(24 * 60))
        authors = tuple(Author(a) for a in rng.sample(corpus.authors, rng.randint(1, 6)))
        words, other = parent.title.split(), rng.choice(corpus.docs).title.split()
        title = " ".join(words[: max(1, (len(words) + 1) // 2)] + other[len(other) // 2 :])
        if is_post:
            assert parent.feed is not None
            out.append((day, FetchedItem(
                id=post_id(parent.feed, f"{n}"), kind=Kind.POST, title=title, summary=summary,
                url=f"https://example.org/{n}", authors=authors[:1], published=published, feed=parent.feed,
            )))  # fmt: skip
            continue
        categories = tuple(dict.fromkeys(rng.sample(corpus.categories, rng.randint(1, 3))))
        number = f"{2609 + day // 30:04d}.{10000 + n:05d}"
        out.append((day, FetchedItem(
            id=f"arxiv:{number}", kind=Kind.PAPER, title=title, summary=summary, url=f"https://arxiv.org/abs/{number}",
            authors=authors, published=published, version=1, categories=categories,
        )))  # fmt: skip
    return out


# --- the simulated person's history in a real workspace ------------------------------------------


@dataclass
class World:
    library: Library
    liked_authors: set[str]
    wanted: dict[str, bool]  # the person's true taste for every item
    day_of: dict[str, int]
    triaged: list[str]  # ids triaged, in the order they were triaged


def simulate(root: Path, corpus: Corpus, days: int, train_days: int, per_day: int, skips: bool = True) -> World:
    """A workspace whose store holds every item and the person's triage of the first ``train_days`` days.

    With ``skips=False`` the person never skips: what they do not want they leave new.
    """
    init_workspace(root)
    library = Library.open(root)
    store = store_of(library)
    rng, pref = random.Random(11), PREFERENCE
    liked_authors = set(random.Random(5).sample(corpus.authors, pref.authors))
    world = World(library, liked_authors, {}, {}, [])
    items = make_items(corpus, days, per_day)
    for day in range(days):
        todays = [item for d, item in items if d == day]
        store.upsert_items(todays, "bench", now=START + timedelta(days=day, hours=23))
        for item in todays:
            world.wanted[item.id] = appeal(item, liked_authors, rng) > pref.threshold
            world.day_of[item.id] = day
        if day < train_days:
            triage_day(world, todays, START + timedelta(days=day + 1, hours=8), rng, skips)
    return world


def triage_day(world: World, items: Sequence[FetchedItem], now: datetime, rng: random.Random, skips: bool) -> None:
    store, pref = store_of(world.library), PREFERENCE
    for item in items:
        if rng.random() >= pref.triaged:
            continue
        wanted = world.wanted[item.id] != (rng.random() < pref.contrary)
        if not wanted:
            if skips:
                world.triaged.append(item.id)
                store.set_status(item.id, Status.SKIPPED, now=now)
            continue
        world.triaged.append(item.id)
        store.set_status(item.id, Status.READ, now=now)
        if rng.random() < 0.3:
            store.set_starred(item.id, True, now=now)
            if item.kind is Kind.PAPER and rng.random() < 0.3:
                note = world.library.workspace.notes / f"{item.id.split(':')[1]}.md"
                note.write_text(f"---\ntitle: On {item.title}\npapers: [{item.id}]\n---\nThoughts.\n")
        if rng.random() < 0.15:
            store.set_tags(item.id, [rng.choice(["rl", "llm", "to-cite", "interp"])], now=now)


# --- measures ------------------------------------------------------------------------------------


def auc(scores: Sequence[float], truth: Sequence[bool]) -> float:
    """ROC AUC by the rank-sum formula, ties counted half."""
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    positives = sum(truth)
    negatives = len(truth) - positives
    rank_sum = sum(r for r, t in zip(ranks, truth, strict=True) if t)
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def precision_at(ordered: Sequence[str], wanted: dict[str, bool], k: int = 10) -> float:
    return sum(wanted[i] for i in ordered[:k]) / k


@dataclass
class Figures:
    p10_day: float
    p10_all: float
    auc: float


def measure(score: Callable[[Item], float], items: Sequence[Item], world: World) -> Figures:
    """P@10 per test day (mean), P@10 over the whole test inbox, and AUC, for an order given by ``score``."""
    scored = {item.id: score(item) for item in items}

    def order(ids: Sequence[str]) -> list[str]:
        return sorted(ids, key=lambda i: -scored[i])

    days = sorted({world.day_of[item.id] for item in items})
    per_day = [precision_at(order([i.id for i in items if world.day_of[i.id] == d]), world.wanted) for d in days]
    ids = [item.id for item in items]
    return Figures(
        statistics.mean(per_day),
        precision_at(order(ids), world.wanted),
        auc([scored[i] for i in ids], [world.wanted[i] for i in ids]),
    )


def random_figures(items: Sequence[Item], world: World, runs: int = 50) -> Figures:
    results = []
    for seed in range(runs):
        rng = random.Random(seed)
        noise = {item.id: rng.random() for item in items}
        results.append(measure(lambda item, noise=noise: noise[item.id], items, world))  # type: ignore[misc]
    return Figures(*(statistics.mean(getattr(r, f) for r in results) for f in ("p10_day", "p10_all", "auc")))


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--train-days", type=int, default=20)
    parser.add_argument("--per-day", type=int, default=100)
    parser.add_argument("--scale", type=int, default=20000, help="items for the training-time figure (0: skip)")
    parser.add_argument("--corpus", type=Path, default=None, help="default: $KB_CORPUS or ../shared/corpus")
    args = parser.parse_args(argv)
    folder = corpus_dir(args.corpus)
    corpus = load_corpus(folder)
    print(
        f"corpus: {len(corpus.docs)} documents ({sum(d.feed is None for d in corpus.docs)} papers), "
        f"{len(corpus.authors)} authors (python {sys.version.split()[0]}, {os.cpu_count()} cpus)"
    )
    with tempfile.TemporaryDirectory(prefix="kb-rank-") as work:
        world = simulate(Path(work) / "ws", corpus, args.days, args.train_days, args.per_day)
        world.library.reindex()  # a real workspace has its index: build it outside the timings
        report(world, args)
        world.library.close()
        lazy = simulate(Path(work) / "lazy", corpus, args.days, args.train_days, args.per_day, skips=False)
        lazy.library.reindex()
        never_skips(lazy, args)
        lazy.library.close()
    if args.scale:
        scale(corpus, args.scale)


def report(world: World, args: argparse.Namespace) -> None:
    store = store_of(world.library)
    everything = [item for batch in store.iter_items() for item in batch]
    test = [item for item in everything if world.day_of[item.id] >= args.train_days]
    base = sum(world.wanted[i.id] for i in test) / len(test)
    stars = sum(item.starred for item in everything)
    print(
        f"history: {len(world.triaged)} items triaged over {args.train_days} days ({stars} starred, "
        f"{len(list(world.library.workspace.notes.glob('2*.md')))} noted); test inbox: {len(test)} new items of "
        f"days {args.train_days + 1}-{args.days}, {base:.0%} of them wanted"
    )
    cold, ranked = timed(lambda: rank_inbox(world.library, test))
    warm, _ = timed(lambda: rank_inbox(world.library, test))
    scores = {item.id: score for item, score, _ in ranked}
    rows = [
        ("for you", measure(lambda item: scores[item.id], test, world)),
        ("recency", measure(newest_key, test, world)),
        ("random (mean of 50)", random_figures(test, world)),
        ("ceiling: noise-free taste", measure(lambda item: ceiling(item, world), test, world)),
    ]
    print(f"\n{'order':<27}{'P@10 per day':>14}{'P@10 inbox':>12}{'ROC AUC':>10}")
    for name, fig in rows:
        print(f"{name:<27}{fig.p10_day:>14.2f}{fig.p10_all:>12.2f}{fig.auc:>10.3f}")
    ours, rec, rnd, _ = (fig for _, fig in rows)
    print(
        f"for you / recency: P@10 per day {ours.p10_day / rec.p10_day:.2f}x, AUC +{ours.auc - rec.auc:.3f};"
        f" for you / random: P@10 per day {ours.p10_day / rnd.p10_day:.2f}x, AUC +{ours.auc - rnd.auc:.3f}"
    )
    print(f"\nrank_inbox on {len(test)} items: {cold:.2f} s trained and cached, {warm:.2f} s from the cache")
    for item, score, why in ranked[:3]:
        print(f"  {score:.2f} {'wanted' if world.wanted[item.id] else 'unwanted':<8} {item.title[:40]!r}: {why}")
    curve(world, everything, test)


def ceiling(item: Item, world: World) -> float:
    """The person's appeal without its noise: what a model that knew their rules exactly would score."""
    return appeal(item, world.liked_authors, random.Random(0), replace(PREFERENCE, noise=0.0))


def never_skips(world: World, args: argparse.Namespace) -> None:
    """The same person, same items, but they never skip: untriaged items they passed over are the negatives."""
    test = [item for batch in store_of(world.library).iter_items() for item in batch]
    test = [item for item in test if world.day_of[item.id] >= args.train_days]
    ranked = rank_inbox(world.library, test)
    scores = {item.id: score for item, score, _ in ranked}
    fig = measure(lambda item: scores[item.id], test, world)
    rec = measure(newest_key, test, world)
    print(
        f"\na person who never skips ({len(world.triaged)} read/starred, the rest left new): for you P@10 per day"
        f" {fig.p10_day:.2f}, AUC {fig.auc:.3f}  (recency {rec.p10_day:.2f}, {rec.auc:.3f})"
    )


@contextmanager
def no_minimum() -> Iterator[None]:
    """Let the model rank with any history, to show what it would do below the threshold."""
    saved = ranking.MIN_LABELLED, ranking.MIN_EACH
    ranking.MIN_LABELLED, ranking.MIN_EACH = 0, 1
    try:
        yield
    finally:
        ranking.MIN_LABELLED, ranking.MIN_EACH = saved


def curve(world: World, everything: list[Item], test: list[Item]) -> None:
    """AUC and P@10 with only the first n triaged items known (the rest of history untouched)."""
    by_id = {item.id: item for item in everything}
    noted = world.library.papers_with_notes()
    print(f"\nlearning curve: the first n triaged items known (below {ranking.MIN_LABELLED} kb orders newest first)")
    for n in (10, 20, 30, 50, 100, 200, 500, len(world.triaged)):
        known = set(world.triaged[:n])
        history = [by_id[i] if i in known else _untriaged(by_id[i]) for i in world.triaged]
        ranker = Ranker(noted & known).fit(history)
        with no_minimum():
            forced = Ranker(noted & known).fit(history)
        fig = measure(forced.score, test, world)
        mode = "model" if ranker.learned else "newest first"
        print(f"  n={n:<5} P@10 per day {fig.p10_day:.2f}  AUC {fig.auc:.3f}   kb uses: {mode}")


def _untriaged(item: Item) -> Item:
    return replace(item, status=Status.NEW, starred=False, tags=())


def scale(corpus: Corpus, count: int) -> None:
    """Training time of Ranker.fit on ``count`` triaged items, and scoring time per item."""
    rng = random.Random(3)
    items = [
        Item(id=f.id, kind=f.kind, title=f.title, summary=f.summary, url=f.url, authors=f.authors,
             categories=f.categories, feed=f.feed, published=f.published,
             status=Status.READ if rng.random() < 0.3 else Status.SKIPPED)
        for _, f in make_items(corpus, math.ceil(count / 100), 100, seed=21)
    ][:count]  # fmt: skip
    for size in sorted({min(1000, count), min(5000, count), count}):
        start = time.perf_counter()
        ranker = Ranker().fit(items[:size])
        seconds = time.perf_counter() - start
        per_item, _ = timed(lambda: [ranker.score(i) for i in items[:1000]])  # noqa: B023 (called at once)
        explain, _ = timed(lambda: [ranker.explain(i) for i in items[:1000]])  # noqa: B023
        print(
            f"fit on {size:>6,} triaged items: {seconds:5.2f} s;  score 1,000: {per_item:.2f} s;"
            f"  explain 1,000: {explain:.2f} s"
        )


if __name__ == "__main__":
    main()
