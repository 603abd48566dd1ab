"""The for-you ranking: how likely the person is to want each item, learned from their own triage only.

A logistic regression on tf-idf features of title, abstract, authors, categories and feed (see
features), trained on what the person starred, tagged, noted, read and skipped (labels).
With fewer than ``MIN_LABELLED`` triaged items, or fewer than ``MIN_EACH`` on either side, it has no
opinion: every item scores 0.5 and the order is newest first. Someone who never skips still teaches it what
they do not want: items left new while later ones were triaged count as weak "no"s. ``rank_inbox`` (inbox) is
the library's entry point; it caches the trained model in .kb/ranking.json under a fingerprint of the triage
state (cache).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from kb.library.ranking.explain import NotedPapers, explanation, similar_note
from kb.library.ranking.features import Vectorizer, author_key, item_words
from kb.library.ranking.labels import label
from kb.library.ranking.model import Example, LinearModel, sigmoid, train
from kb.models import Item, Status
from kb.text import one_line

MIN_LABELLED = 50  # triaged items before the model beats recency reliably (benchmarks/ranking.py)
MIN_EACH = 5  # at least this many wanted and this many unwanted: one side alone teaches nothing
PASSED_OVER_WEIGHT = 0.3  # an item left new while later ones were triaged, for people who never skip
MAX_HISTORY = 5000  # the latest judgements only: tastes drift, and training stays within seconds
NEUTRAL = 0.5  # the score of every item while there is too little history
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Ranker:
    """Scores and explains items from a person's triage history. ``fit`` first, then ``score``/``explain``."""

    def __init__(self, noted: Collection[str] = ()) -> None:
        self.noted = frozenset(noted)  # ids of papers some note links
        self.wanted = 0
        self.unwanted = 0
        self._vectorizer: Vectorizer | None = None
        self._model: LinearModel | None = None
        self._names: dict[str, str] = {}  # author/feed feature value -> the name as written
        self._noted = NotedPapers([])
        self._dot: Callable[[Item], float] | None = None  # the model's weights dotted with an item's features

    @property
    def labelled(self) -> int:
        """How many triaged items the ranker learned from."""
        return self.wanted + self.unwanted

    @property
    def learned(self) -> bool:
        """True when there was enough history to learn from; False means newest first."""
        return self._model is not None

    def fit(self, items: Iterable[Item]) -> Ranker:
        """Learn from the triaged items among ``items`` (the latest ``MAX_HISTORY``); the others are ignored."""
        items = [item for item in items if item.has_metadata]
        judged = [(item, found) for item in items if (found := label(item, self.noted)) is not None]
        if sum(1 for _, (wanted, _) in judged if not wanted) < MIN_EACH:
            # Someone who stars what they like and never skips still says no, by passing items over.
            passed = [item for item in passed_over(items, judged) if label(item, self.noted) is None]
            judged += [(item, (False, PASSED_OVER_WEIGHT)) for item in passed]
        judged.sort(key=lambda entry: (last_change(entry[0]), entry[0].id), reverse=True)
        del judged[MAX_HISTORY:]
        self.wanted = sum(1 for _, (wanted, _) in judged if wanted)
        self.unwanted = len(judged) - self.wanted
        self._model = None
        self._dot = None
        if len(judged) < MIN_LABELLED or min(self.wanted, self.unwanted) < MIN_EACH:
            return self
        counts = {item.id: item_words(item) for item, _ in judged}
        vectorizer = Vectorizer.build(counts.values())
        examples = [
            Example(vectorizer.vector(item, counts[item.id]), wanted, weight) for item, (wanted, weight) in judged
        ]
        self._vectorizer, self._model = vectorizer, train(examples)
        self._dot = None
        weighted = self._model.weights
        for item, _ in judged:  # the names as written, for the features an explanation may show
            for name in [author.name for author in item.authors] + ([item.feed] if item.feed else []):
                if f"a:{author_key(name)}" in weighted or f"f:{author_key(name)}" in weighted:
                    self._names[author_key(name)] = one_line(name)
        self._noted = NotedPapers(
            [
                (item.id, item.title, example.features)
                for (item, _), example in zip(judged, examples, strict=True)
                if item.id in self.noted
            ]
        )
        return self

    def score(self, item: Item) -> float:
        """How likely the person wants ``item``, 0..1 (0.5 for every item while there is too little history)."""
        if self._model is None or self._vectorizer is None:
            return NEUTRAL
        if self._dot is None:  # once per ranker: what scoring each candidate looks up
            self._dot = self._vectorizer.dot(self._model.weights)
        return sigmoid(self._model.bias + self._dot(item))

    def explain(self, item: Item) -> str:
        """One line: the terms, authors, categories and noted papers that pushed ``item`` up (or down)."""
        return self.assess(item)[1]

    def assess(self, item: Item) -> tuple[float, str]:
        """``score`` and ``explain`` at once (the item's features are computed once)."""
        if self._model is None or self._vectorizer is None:
            return NEUTRAL, self.untrained_line()
        vector = self._vectorizer.vector(item)
        similar = similar_note(self._noted, item.id, vector, item.id in self.noted)
        why = explanation(vector, self._model.weights, self._names, similar)
        return self.score(item), why  # the same number as score's, to the last bit

    def untrained_line(self) -> str:
        """While there is too little history: the one line saying what kb still needs (what `kb why` prints)."""
        return (
            f"newest first: kb learns your taste once you have triaged {MIN_LABELLED} items, "
            f"{MIN_EACH} or more of them read or starred and {MIN_EACH} or more skipped "
            f"(so far {self.wanted} wanted, {self.unwanted} not)"
        )

    # --- the cache's view: a plain dict -----------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Everything ``from_dict`` needs to score and explain as this ranker does (JSON-ready)."""
        return {
            "noted": sorted(self.noted),
            "wanted": self.wanted,
            "unwanted": self.unwanted,
            "documents": self._vectorizer.documents if self._vectorizer else 0,
            "df": self._vectorizer.df if self._vectorizer else {},
            "weights": dict(self._model.weights) if self._model else None,
            "bias": self._model.bias if self._model else 0.0,
            "names": self._names,
            "noted_vectors": [[i, t, dict(v)] for i, t, v in self._noted.papers],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Ranker:
        """A ranker as ``to_dict`` left it. KeyError/TypeError/ValueError for data of another shape."""
        ranker = cls(noted=[str(paper) for paper in data["noted"]])
        ranker.wanted, ranker.unwanted = int(data["wanted"]), int(data["unwanted"])
        if data["weights"] is not None:
            ranker._vectorizer = Vectorizer(int(data["documents"]), {str(k): int(v) for k, v in data["df"].items()})
            weights = {str(k): float(v) for k, v in data["weights"].items()}
            ranker._model = LinearModel(weights, float(data["bias"]))
        ranker._names = {str(k): str(v) for k, v in data["names"].items()}
        ranker._noted = NotedPapers(
            [(str(i), str(t), {str(k): float(x) for k, x in v.items()}) for i, t, v in data["noted_vectors"]]
        )
        return ranker


def passed_over(items: Sequence[Item], judged: Sequence[tuple[Item, object]]) -> list[Item]:
    """Items still new that arrived before the person's latest triage: seen, most likely, and let be."""
    moments = [
        moment
        for item, _ in judged
        for moment in (item.status_changed, item.starred_changed, item.tags_changed)
        if moment is not None
    ]
    if not moments:
        return []
    latest = max(moments)
    return [item for item in items if item.status is Status.NEW and item.first_seen and item.first_seen < latest]


def last_change(item: Item) -> datetime:
    """When the person last changed the item's triage (when it arrived, if never)."""
    moments = [item.status_changed, item.starred_changed, item.tags_changed, item.first_seen]
    return max((moment for moment in moments if moment is not None), default=_EPOCH)


def newest_key(item: Item) -> float:
    """Seconds since 1970 of when the item appeared (published, else first stored): for newest first."""
    moment = item.published or item.first_seen
    return (moment - _EPOCH).total_seconds() if moment else float("-inf")


def rank(
    ranker: Ranker, items: Iterable[Item], explain: bool = True, scores: Sequence[float] | None = None
) -> list[tuple[Item, float, str]]:
    """``items`` best first (ties, and everything while the ranker has no opinion, newest first).

    With ``explain=False`` each "why" is empty: a list that prints no reasons skips a third of the work.
    ``scores`` are the items' ``ranker.score``s when the caller has them already (remembered ones).
    """
    if explain:
        ranked = [(item, *ranker.assess(item)) for item in items]
    elif scores is not None:
        ranked = [(item, score, "") for item, score in zip(items, scores, strict=True)]
    else:
        ranked = [(item, ranker.score(item), "") for item in items]
    ranked.sort(key=lambda entry: (-entry[1], -newest_key(entry[0]), entry[0].id))
    return ranked


__all__ = ["MIN_LABELLED", "Ranker", "rank"]
