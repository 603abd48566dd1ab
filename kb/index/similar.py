"""More like this: the documents sharing the most telling words with one paper (or a few), on both engines.

kb picks the key terms itself rather than calling an engine's own more-like-this, so that both engines find
the same neighbours for the same reasons: tantivy 0.27's ``Query.more_like_this_query`` re-reads the stored
text with the field's tokenizer, and kb's fields hold kb's terms already analysed (the stored text is not what
was indexed); Whoosh's ``Searcher.more_like`` expands one field with its own analysis. Here:

1. the source's title and text go through kb's analysis (the terms the index holds);
2. each term is weighted by tf-idf: ``(1 + ln tf) * ln(N / df)``, tf counted with the field weights of
   SIMILAR_FIELDS, df read from the index; terms in fewer than two documents (only the source has them),
   numbers and one-letter terms are left out;
3. the strongest KEY_TERMS terms, each boosted by its weight, are ORed in the title and text fields and
   the engine ranks by BM25 as for any search, the sources excluded;
4. each result is explained by the key terms its own stored title and text contain (``shared_terms``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from kb.index.analysis import TEXT_TERMS
from kb.index.compile import Builder, Compiled, Marks
from kb.index.document import Prepared

#: (attribute of a prepared document, index field searched, weight of its words in the key terms).
#: Full text hook: when documents gain a ``body`` (kb.index.document) and the index a ``body`` field,
#: add ``("body", "body", 0.5)`` here; nothing else changes.
SIMILAR_FIELDS: tuple[tuple[str, str, float], ...] = (("title", "title", 2.0), ("text", "text", 1.0))
#: How many key terms make the query: enough to find the topic, few enough to stay fast at 1M documents.
KEY_TERMS = 25
#: How many shared terms explain one result.
SHOWN_SHARED = 8
_TERMS = TEXT_TERMS


@dataclass(frozen=True)
class KeyTerm:
    """One of the words that characterise the source: its index term, how the source wrote it, its weight."""

    term: str
    word: str
    weight: float


def key_terms(
    docs: Sequence[Prepared], doc_freq: Callable[[str, str], int], n_docs: int, most: int = KEY_TERMS
) -> list[KeyTerm]:
    """The ``most`` strongest tf-idf terms of ``docs`` (taken as one text), strongest first."""
    counts: dict[str, float] = {}
    words: dict[str, str] = {}
    for doc in docs:
        for attribute, _field, weight in SIMILAR_FIELDS:
            text = str(getattr(doc, attribute, "") or "")
            for term, _pos, start, end in _TERMS(text):
                if len(term) < 2 or not any(c.isalpha() for c in term):
                    continue  # numbers and single letters say nothing about a topic
                counts[term] = counts.get(term, 0.0) + weight
                words.setdefault(term, text[start:end].lower())
    fields = [field for _attribute, field, _weight in SIMILAR_FIELDS]
    scored: list[KeyTerm] = []
    for term, tf in counts.items():
        df = max(doc_freq(field, term) for field in fields)
        if df < 2 or df >= n_docs:
            continue  # only the source has it, or every document does: neither tells neighbours apart
        weight = (1.0 + math.log(tf)) * math.log(n_docs / df)
        scored.append(KeyTerm(term, words[term], weight))
    scored.sort(key=lambda key: (-key.weight, key.term))
    return scored[:most]


def similar_query(builder: Builder, terms: Sequence[KeyTerm], exclude: Collection[str], kind: str | None) -> Compiled:
    """The engine query for ``terms`` (None-free: ``terms`` must not be empty), without ``exclude``'s ids,
    limited to one kind when ``kind`` is given; snippets mark the key terms."""
    top = terms[0].weight
    fields = [field for _attribute, field, _weight in SIMILAR_FIELDS]
    q = builder.any_of([builder.term(field, key.term, boost=key.weight / top) for key in terms for field in fields])
    if kind is not None:
        q = builder.all_of([q, builder.filter(builder.term("kind", kind))])
    if exclude:
        q = builder.but_not(q, builder.any_of([builder.term("id", doc_id) for doc_id in sorted(exclude)]))
    return Compiled(query=q, marks=Marks(terms={key.term for key in terms}), scored=True)


def shared_terms(terms: Sequence[KeyTerm], texts: Iterable[str]) -> tuple[str, ...]:
    """The source's words (strongest first, at most SHOWN_SHARED) that also occur in ``texts``."""
    wanted = {key.term for key in terms}
    found: set[str] = set()
    for text in texts:
        found.update(term for _start, _end, term in _TERMS.find(text, wanted))
    return tuple(key.word for key in terms if key.term in found)[:SHOWN_SHARED]
