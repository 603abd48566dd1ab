"""Features of the for-you ranking: sparse tf-idf vectors of an item's words, authors, categories and feed.

A vector is a plain ``dict[str, float]``; each key says what it counts, so the model's weights can explain
themselves: ``w:diffusion`` (a word of the title or abstract), ``w:diffusion model`` (two words together),
``a:jonathan ho`` (an author), ``c:cs.CV`` (a category), ``f:lil'log`` (a blog), ``k:post`` (the kind).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from kb.models import Item, Kind
from kb.text import one_line

# How much each part of an item counts. The words are one L2-normalised tf-idf block (weight 1); the
# others are added on top, so an author or a category counts about as much as one telling word.
TITLE_REPEAT = 2  # a title word counts as two abstract words: titles say what a paper is about
AUTHOR_WEIGHT = 0.5  # split among the authors (1/sqrt(n) each): a 300-author paper is no author's own
CATEGORY_WEIGHT = 0.35  # the primary category; cross-lists count half
FEED_WEIGHT = 0.5
KIND_WEIGHT = 0.2
MAX_WORDS = 400  # a long blog post: its first words say what it is about; the rest costs time

_WORD = re.compile(r"[^\W\d_][\w\-']*")
_STOP_WORDS = """
    a about above after again against all also although am among an and any are as at be because been before
    being below between both but by can could did do does doing down during each either few for from further had
    has have having here how however i if in into is it its itself just least less many may me might more most
    much must my no nor not now of off on once one only or other our ours out over own per same shall she should
    so some such than that the their theirs them themselves then there these they this those though through thus
    to too two under until up upon us use used uses using very via was we well were what when where whether which
    while who whom whose why will with within without would yet you your
    approach approaches based new novel paper papers propose proposed proposes present presents result results
    show shows shown study studies method methods work works"""
_STOP = frozenset(_STOP_WORDS.split())


def _stem(word: str) -> str:
    """A light plural strip, so "models" and "model" are one feature ("ies" -> "y"; "loss", "bias" kept)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "as", "ics", "'s")):
        return word[:-1]
    return word.removesuffix("'s")


#: Each word as found (lower case) -> its feature, or "" for a word that is none (short, or a stop word).
_FEATURE: dict[str, str] = {}
_MAX_FEATURES = 200_000  # the cache is cleared when it reaches this: the vocabulary of years of abstracts


def _feature(found: str) -> str:
    word = found.strip("-'")
    feature = "" if len(word) < 3 or word in _STOP else _stem(word)
    if len(_FEATURE) >= _MAX_FEATURES:
        _FEATURE.clear()
    _FEATURE[found] = feature
    return feature


def words(text: str) -> list[str]:
    """The features of a text: its non-stop words, stemmed, and each pair of neighbouring ones.

    Each distinct word is stripped, checked and stemmed once per process (``_FEATURE``): scoring two thousand
    candidates mostly meets words seen before.
    """
    out: list[str] = []
    previous = ""
    known = _FEATURE.get
    for found in _WORD.findall(text.lower()):
        word = known(found)
        if word is None:
            word = _feature(found)
        if not word:
            previous = ""
            continue
        out.append(word)
        if previous:
            out.append(f"{previous} {word}")
        previous = word
    return out


def author_key(name: str) -> str:
    """An author's feature name: the name on one line, lower case, spaces collapsed."""
    return one_line(name).casefold()


def short_author(name: str) -> str:
    """How an explanation names an author: "Jonathan Ho" -> "Ho J."."""
    parts = one_line(name).replace(",", " ").split()
    if len(parts) < 2:
        return " ".join(parts)
    initials = "".join(f"{part[0].upper()}." for part in parts[:-1] if part[0].isalpha())
    return f"{parts[-1]} {initials}".strip()


def item_words(item: Item) -> Counter[str]:
    """Word counts of the title (counted ``TITLE_REPEAT`` times) and the start of the abstract or post."""
    counts = Counter(words(" ".join(item.summary.split()[:MAX_WORDS])))
    for word in words(item.title):
        counts[word] += TITLE_REPEAT
    return counts


def document_frequencies(counts: Iterable[Mapping[str, int]]) -> tuple[int, dict[str, int]]:
    """How many items there are, and in how many of them each word feature occurs."""
    df: Counter[str] = Counter()
    documents = 0
    for words_of_item in counts:
        documents += 1
        df.update(words_of_item.keys())
    return documents, dict(df)


class Vectorizer:
    """Turns items into sparse feature vectors, with the idf of the items it was built from."""

    def __init__(self, documents: int, df: Mapping[str, int]) -> None:
        self.documents = documents
        # A word one item had, or none: as rare as can be. Not keeping those halves the table (most
        # word pairs occur once); an unseen word has no weight but still counts in an item's length, so
        # an item of unknown words is not mistaken for one about its one known word.
        self.df = {word: count for word, count in df.items() if count > 1}
        self._rare_idf = math.log((1 + documents) / 2) + 1

    @classmethod
    def build(cls, counts: Iterable[Mapping[str, int]]) -> Vectorizer:
        """A vectorizer whose idf comes from these items' word counts (``item_words``)."""
        return cls(*document_frequencies(counts))

    def idf(self, feature: str) -> float:
        found = self.df.get(feature)
        return self._rare_idf if found is None else math.log((1 + self.documents) / (1 + found)) + 1

    def vector(self, item: Item, counts: Mapping[str, int] | None = None) -> dict[str, float]:
        """The item's features: tf-idf words (L2-normalised), then authors, categories, feed and kind.

        ``counts`` are the item's ``item_words`` when the caller has them already.
        """
        counts = item_words(item) if counts is None else counts
        vec = {f"w:{word}": (1 + math.log(tf)) * self.idf(word) for word, tf in counts.items()}
        norm = math.sqrt(sum(value * value for value in vec.values()))
        if norm:
            vec = {key: value / norm for key, value in vec.items()}
        names = list(dict.fromkeys(author_key(author.name) for author in item.authors if author.name.strip()))
        for name in names:
            vec[f"a:{name}"] = AUTHOR_WEIGHT / math.sqrt(len(names))
        for position, category in enumerate(dict.fromkeys(item.categories)):
            vec[f"c:{category}"] = CATEGORY_WEIGHT * (1.0 if position == 0 else 0.5)
        if item.kind is Kind.POST and item.feed:
            vec[f"f:{author_key(item.feed)}"] = FEED_WEIGHT
        vec[f"k:{item.kind.value}"] = KIND_WEIGHT
        return vec

    def dot(self, weights: Mapping[str, float]) -> Callable[[Item], float]:
        """A function giving ``sum(weights[f] * x for f, x in vector(item).items())`` without building the vector.

        Scoring a list of candidates (`kb list --sort foryou`) is this for each of them: each word's idf and
        weight are looked up once (and the idf remembered), no per-feature strings are made, and the L2 norm
        divides the words' sum once instead of every component.
        """
        word_weights = {key[2:]: value for key, value in weights.items() if key.startswith("w:")}
        known: dict[str, tuple[float, float]] = {}  # word -> (idf, weight): one lookup per word
        idf = self.idf
        log, sqrt = math.log, math.sqrt

        def dot(item: Item) -> float:
            total = squares = 0.0
            for word, tf in item_words(item).items():
                found = known.get(word)
                if found is None:
                    found = known[word] = (idf(word), word_weights.get(word, 0.0))
                x = (1 + log(tf)) * found[0]
                squares += x * x
                total += found[1] * x
            out = total / sqrt(squares) if squares else 0.0
            names = list(dict.fromkeys(author_key(author.name) for author in item.authors if author.name.strip()))
            for name in names:
                out += weights.get(f"a:{name}", 0.0) * AUTHOR_WEIGHT / sqrt(len(names))
            for position, category in enumerate(dict.fromkeys(item.categories)):
                out += weights.get(f"c:{category}", 0.0) * CATEGORY_WEIGHT * (1.0 if position == 0 else 0.5)
            if item.kind is Kind.POST and item.feed:
                out += weights.get(f"f:{author_key(item.feed)}", 0.0) * FEED_WEIGHT
            return out + weights.get(f"k:{item.kind.value}", 0.0) * KIND_WEIGHT

        return dot


def describe(feature: str, authors: Mapping[str, str]) -> str:
    """A feature as a person reads it: "diffusion", "author Ho J.", "cs.CV", "feed Lil'Log", "posts"."""
    kind, _, value = feature.partition(":")
    if kind == "a":
        return f"author {short_author(authors.get(value, value))}"
    if kind == "f":
        return f"feed {authors.get(value, value)}"
    if kind == "k":
        return f"{value}s"
    return value


def cosine(left: Mapping[str, float], right: Mapping[str, float]) -> float:
    """The cosine of two sparse vectors (0 when either is empty)."""
    if len(left) > len(right):
        left, right = right, left
    dot = sum(value * right.get(key, 0.0) for key, value in left.items())
    if not dot:
        return 0.0
    norms = math.sqrt(sum(v * v for v in left.values())) * math.sqrt(sum(v * v for v in right.values()))
    return dot / norms if norms else 0.0
