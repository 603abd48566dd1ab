"""A paper that your own posts and notes point at ranks a little above one they never mention.

Ranking by words alone puts *Attention Is All You Need* second for ``transformer kind:paper`` on the recorded
corpus: another abstract says "transformer" three times to its two. What a person's workspace links is a
signal words do not carry, the way citations are for a library: each post, note or abstract whose text holds
the paper's arXiv id (``1706.03762``, also inside a link) and each note whose front matter names it
(``papers: [arxiv:1706.03762]``) count as a mention, read from the index's own term counts: no store, no extra
field, nothing to re-index when a new post mentions an old paper. A note holds a link in its body in both
fields (its text, and its links, which name every paper it links): when both fields hold the id, the documents
holding either are counted, so that such a note counts once.

Only the order of the best ``WINDOW`` hits changes, so a lift never pulls a weak match above strong ones, and
the first hit of ``--limit 1`` is still the first of ``--limit 50`` (every relevance search ranks the same
window). A paper's score is multiplied by ``1 + LIFT * ln(1 + mentions)``: one mention lifts it 17%, three
35%, a hundred 2.2x.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence

from kb.index.analysis import fold
from kb.index.compile import Builder, Compiled, Marks
from kb.index.engines import Generation
from kb.models import Hit, Kind, parse_arxiv_id

#: How many of the best hits a mention may reorder.
WINDOW = 20
#: How much a mention lifts a score (see the module's docstring).
LIFT = 0.25


def mentions(paper_id: str, gen: Generation, builder: Builder) -> int:
    """How many documents mention ``paper_id``'s arXiv id in their text or link it from a note."""
    parsed = parse_arxiv_id(paper_id)
    if parsed is None:
        return 0
    bare = fold(parsed.id)
    in_text, linked = gen.doc_freq("text", bare), gen.doc_freq("links", bare)
    if not in_text or not linked:
        return in_text + linked
    either = builder.any_of([builder.term("text", bare), builder.term("links", bare)])
    return gen.search(Compiled(query=either, marks=Marks(), scored=False), 0, False, ("", ""))[1]


def lifted(hits: Sequence[Hit], gen: Generation, builder: Builder) -> list[Hit]:
    """``hits`` (best first) with the first WINDOW reordered by their mentions, each score lifted."""
    window = [_lift(hit, gen, builder) for hit in hits[:WINDOW]]
    order = sorted(range(len(window)), key=lambda n: (-window[n].score, n))  # a tie keeps the words' order
    return [window[n] for n in order] + list(hits[WINDOW:])


def _lift(hit: Hit, gen: Generation, builder: Builder) -> Hit:
    if hit.kind is not Kind.PAPER:
        return hit
    count = mentions(hit.id, gen, builder)
    return dataclasses.replace(hit, score=hit.score * (1 + LIFT * math.log1p(count))) if count else hit
