"""Known-item search over the recorded corpus: can a person who remembers a paper find it first?

For every paper in the recorded arXiv API responses and RSS announcements, three queries a person might
type when looking for a paper they have seen: all the words of its title, three of its title words, and
``author:Surname`` with two title words. Each is searched in a real index holding every recorded paper
and blog post (the posts are distractors), and counts as found when the paper is the first hit.

Shared by the test (tests/index/test_known_item.py, which asserts the floor) and the benchmark
(benchmarks/known_item.py, which prints the figures and the misses).
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from kb.errors import QueryError
from kb.fetchers.arxiv_atom import parse_api_response
from kb.fetchers.arxiv_rss import parse_announcements
from kb.fetchers.feeds import parse_feed
from kb.index.analysis import STOP_WORDS, fold
from kb.models import FetchedItem, IndexDoc, Status

#: The three kinds of query, by name.
KINDS = ("title", "three words", "author + two words")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_OPERATORS = {"and", "or", "not"}
#: Random word choices tried before a paper counts as ambiguous for a kind of query.
_DRAWS = 30


@dataclass(frozen=True)
class Paper:
    """A recorded paper: its index document and the names of its authors."""

    doc: IndexDoc
    surnames: tuple[str, ...]


@dataclass
class Outcome:
    """How one kind of query did: found first, and the queries that were not."""

    asked: int = 0
    first: int = 0
    misses: list[tuple[str, str, str | None]] = field(default_factory=list)  # (paper id, query, top hit)
    ambiguous: int = 0  # papers not asked: every word choice also names another paper

    @property
    def success(self) -> float:
        """success@1: the share of queries whose paper came first."""
        return self.first / self.asked if self.asked else 0.0


def _doc(item: FetchedItem) -> IndexDoc:
    return IndexDoc(
        id=item.id,
        kind=item.kind,
        title=item.title,
        text=item.summary,
        authors=tuple(author.name for author in item.authors),
        categories=item.categories,
        sources=(item.feed,) if item.feed else (),
        status=Status.NEW,
        published=item.published or datetime(2000, 1, 1, tzinfo=UTC),
        comment=item.comment,
        journal_ref=item.journal_ref,
    )


def corpus_papers(corpus: Path) -> list[Paper]:
    """Every distinct paper of the recorded API responses and RSS announcements (read by kb's own readers)."""
    items: dict[str, FetchedItem] = {}
    for path in sorted((corpus / "arxiv-api").glob("*.xml")):
        for item in parse_api_response(path.read_bytes()).papers:
            items.setdefault(item.id, item)
    for path in sorted((corpus / "arxiv-rss").glob("*.xml")):
        for item in parse_announcements(path.read_bytes()).items:
            items.setdefault(item.id, item)
    return [
        Paper(_doc(item), tuple(author.name.split()[-1] for author in item.authors if author.name.split()))
        for item in items.values()
        if item.title.strip()
    ]


def corpus_posts(corpus: Path) -> list[IndexDoc]:
    """Every post of the recorded blog feeds (distractors: long texts full of the papers' words)."""
    docs: dict[str, IndexDoc] = {}
    for path in sorted((corpus / "blogs").iterdir()):
        parsed = parse_feed(path.read_bytes(), {}, path.stem, f"https://example.org/{path.name}")
        for item in parsed.items:
            docs.setdefault(item.id, _doc(item))
    return list(docs.values())


def _title_words(title: str) -> list[str]:
    """The title's words as a person would type them: no punctuation, no operators, no common words."""
    words = [w for w in _WORD.findall(title) if w.lower() not in _OPERATORS]
    return [w for w in words if w.lower() not in STOP_WORDS]


def _folded(words: Iterable[str]) -> frozenset[str]:
    return frozenset(fold(w) for w in words)


class Asker:
    """Makes the queries of each paper, leaving out word choices that name another paper as well.

    Three title words that another recorded title holds too (the two "Efficient Two-Stage Group Testing
    Algorithms for ... Screening" papers, the many "... using Large Language Models") have no single right
    answer: such choices are redrawn, and a paper with no unambiguous choice is not asked (``ambiguous``).
    Words are compared as typed (folded, not stemmed): "test" is not "testing".
    """

    def __init__(self, papers: list[Paper], seed: int = 12) -> None:
        self.rng = random.Random(seed)
        self.titles = {p.doc.id: _folded(_WORD.findall(p.doc.title)) for p in papers}
        self.by_surname: dict[str, list[str]] = {}
        for p in papers:
            for surname in {fold(s) for s in p.surnames}:
                self.by_surname.setdefault(surname, []).append(p.doc.id)
        self.ambiguous = dict.fromkeys(KINDS, 0)

    def _unique(self, paper_id: str, words: list[str], among: Iterable[str]) -> bool:
        wanted = _folded(words)
        return not any(wanted <= self.titles[other] for other in among if other != paper_id)

    def _draw(self, paper_id: str, words: list[str], k: int, among: Iterable[str], kind: str) -> list[str] | None:
        candidates = list(among)
        for _ in range(_DRAWS):
            choice = self.rng.sample(words, k)
            if self._unique(paper_id, choice, candidates):
                return choice
        self.ambiguous[kind] += 1
        return None

    def queries(self, paper: Paper) -> Iterator[tuple[str, str]]:
        """The (kind, query) pairs of one paper; a kind is left out when the paper cannot make it."""
        words = _title_words(paper.doc.title)
        pid = paper.doc.id
        if words and self._unique(pid, words, self.titles):
            yield KINDS[0], " ".join(words)
        elif words:
            self.ambiguous[KINDS[0]] += 1
        if len(words) >= 3 and (three := self._draw(pid, words, 3, self.titles, KINDS[1])):
            yield KINDS[1], " ".join(three)
        surnames = [s for s in paper.surnames if _WORD.fullmatch(s)]
        if surnames and len(words) >= 2:
            surname = self.rng.choice(surnames)
            two = self._draw(pid, words, 2, self.by_surname.get(fold(surname), []), KINDS[2])
            if two:
                yield KINDS[2], f"author:{surname} " + " ".join(two)


def measure(papers: list[Paper], first_hit: Callable[[str], str | None], seed: int = 12) -> dict[str, Outcome]:
    """Ask every query of every paper; ``first_hit`` gives the id of a query's first hit (None: no hits)."""
    asker = Asker(papers, seed)
    outcomes = {kind: Outcome() for kind in KINDS}
    for paper in papers:
        for kind, query in asker.queries(paper):
            outcome = outcomes[kind]
            outcome.asked += 1
            try:
                top = first_hit(query)
            except QueryError as error:
                top = f"QueryError: {error}"
            if top == paper.doc.id:
                outcome.first += 1
            else:
                outcome.misses.append((paper.doc.id, query, top))
    for kind, outcome in outcomes.items():
        outcome.ambiguous = asker.ambiguous[kind]
    return outcomes


def known_item_docs(corpus: Path) -> tuple[list[Paper], list[IndexDoc]]:
    """The papers asked for, and every document of the index (papers and posts)."""
    papers = corpus_papers(corpus)
    return papers, [paper.doc for paper in papers] + corpus_posts(corpus)
