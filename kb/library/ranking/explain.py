"""Why the ranking placed an item where it did, in one line a person can read.

A linear model's score is a sum of (feature value x weight), so the features with the largest products
are the reasons: "+ diffusion, + author Ho J., + cs.CV". A paper close to one the person's notes link is
named too, since that is the reason a person recognises fastest.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

from kb.library.ranking.features import describe
from kb.text import one_line

REASONS = 4  # at most this many "+ ..." in a line
AGAINST = 2  # at most this many "- ..." (shown when the case against is the stronger one)
NOTICEABLE = 0.02  # a push smaller than this (in log-odds) is not worth a word
SIMILAR_NOTE = 0.25  # cosine to a noted paper above which the line names it
TITLE_WIDTH = 50


class NotedPapers:
    """The papers notes link, as vectors, with an inverted index: the nearest is found without comparing all."""

    def __init__(self, papers: Sequence[tuple[str, str, Mapping[str, float]]]) -> None:
        self.papers = list(papers)  # (id, title, vector)
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._norms: list[float] = []
        for position, (_, _, vector) in enumerate(self.papers):
            for key, value in vector.items():
                if not key.startswith("k:"):  # every paper shares its kind: no sign of likeness
                    self._postings[key].append((position, value))
            self._norms.append(math.sqrt(sum(v * v for k, v in vector.items() if not k.startswith("k:"))))

    def nearest(self, vector: Mapping[str, float], exclude: str) -> tuple[float, str]:
        """(cosine, title) of the noted paper most like ``vector``, other than ``exclude``; (0, "") if none."""
        dots: dict[int, float] = defaultdict(float)
        norm = 0.0
        for key, value in vector.items():
            if key.startswith("k:"):
                continue
            norm += value * value
            for position, other in self._postings.get(key, ()):
                dots[position] += value * other
        best, title = 0.0, ""
        for position, dot in dots.items():
            paper_id, paper_title, _ = self.papers[position]
            similarity = dot / (math.sqrt(norm) * self._norms[position] or 1.0)
            if paper_id != exclude and similarity > best:
                best, title = similarity, paper_title
        return best, title


def readable(keys: Sequence[str], names: Mapping[str, str]) -> list[str]:
    """Features as words, dropping one whose words a stronger one already shows ("diffusion" after
    "diffusion model"), and the item's kind (a reason nobody needs to read)."""
    shown: list[str] = []
    covered: set[str] = set()
    for key in keys:
        if key.startswith("k:"):
            continue
        if key.startswith("w:"):
            parts = set(key[2:].split())
            if parts <= covered:
                continue
            covered |= parts
        shown.append(describe(key, names))
    return shown


def explanation(
    vector: Mapping[str, float],
    weights: Mapping[str, float],
    names: Mapping[str, str],
    similar: str | None,
) -> str:
    """The line: the strongest pushes up and the noted paper it resembles; when the pushes down weigh more
    in total, those come first ("- survey, - cs.CR, + training")."""
    pushes = sorted(((value * weights[key], key) for key, value in vector.items() if key in weights), reverse=True)
    ups = [f"+ {text}" for text in readable([key for push, key in pushes if push > NOTICEABLE], names)]
    downs = [f"- {text}" for text in readable([key for push, key in reversed(pushes) if push < -NOTICEABLE], names)]
    against = -sum(push for push, _ in pushes if push < 0) > sum(push for push, _ in pushes if push > 0)
    if against:
        parts = downs[:AGAINST] + ups[: REASONS - AGAINST] + ([similar] if similar else [])
    else:
        parts = ups[:REASONS] + ([similar] if similar else [])
    return ", ".join(parts) or "nothing in your history speaks for or against it"


def similar_note(noted: NotedPapers, item_id: str, vector: Mapping[str, float], is_noted: bool) -> str | None:
    """ "in your notes", 'similar to "Title" in your notes', or None."""
    if is_noted:
        return "in your notes"
    best, title = noted.nearest(vector, exclude=item_id)
    if best < SIMILAR_NOTE:
        return None
    return f'similar to "{one_line(title, TITLE_WIDTH)}" in your notes'
