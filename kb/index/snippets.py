"""Plain-text snippets: the part of a text around its best match, each match wrapped in a pair of marks.

The text is re-analysed exactly as it was indexed, so a query word marks every form it matched
(``network`` marks "networks", ``scholkopf`` marks "Schölkopf"), and a phrase only where it occurs
whole. Only the words that can match are analysed (a regex of the query's probes finds them: ``_gated``),
which gives what analysing every word gives in a fraction of the time. A paper or post gets one fragment around
the densest cluster of matches; a note gets the lines that matched, since notes are written line by line.
"""

from __future__ import annotations

import re

from kb.index.analysis import TEXT_TERMS, fold
from kb.index.compile import Marks

WIDTH = 220
_MAX_LINES = 3
_LEAD = 60  # characters of context before the first match of a fragment
_JOIN_GAP = re.compile(r"^[\s\-]{1,2}$")
_TERMS = TEXT_TERMS

Span = tuple[int, int, str]  # start, end, term


def make_snippet(text: str, marks: Marks, pair: tuple[str, str], note: bool = False) -> str:
    """The snippet of ``text`` for a query's ``marks``; the text's opening when nothing matched."""
    if note:
        return _note_snippet(text, marks, pair)
    found = matched_snippet(text, marks, pair)
    return found if found is not None else _flat(_opening(text))


def matched_snippet(text: str, marks: Marks, pair: tuple[str, str]) -> str | None:
    """The snippet around the best match of ``marks`` in ``text``; None when nothing matched."""
    spans = _matches(text, marks)
    if not spans:
        return None
    start, end = _best_window(text, spans)
    return _flat(_render(text, start, end, spans, pair))


def match_score(text: str, marks: Marks) -> tuple[int, int]:
    """(distinct terms, matches) of ``marks`` in ``text``: how well a passage answers the query."""
    spans = _matches(text, marks)
    return len({term for _, _, term in spans}), len(spans)


def _matches(text: str, marks: Marks) -> list[Span]:
    if not marks.phrases:
        return _gated(text, marks)
    spans: list[Span] = []
    prefixes = tuple(marks.prefixes)
    in_phrases = {term for phrase in marks.phrases for term, _ in phrase}
    at: dict[int, Span] = {}  # position -> span, for the words of phrases
    for term, pos, start, end in _TERMS(text):
        if term in marks.terms or (prefixes and fold(text[start:end]).startswith(prefixes)):
            spans.append((start, end, term))
        elif term in in_phrases:
            at[pos] = (start, end, term)
    for phrase in marks.phrases:
        first = phrase[0][0]
        for pos, span in list(at.items()):
            words = [at.get(pos + offset) for _, offset in phrase]
            if span[2] == first and all(w is not None and w[2] == t for w, (t, _) in zip(words, phrase, strict=True)):
                spans.extend(w for w in words if w is not None)
    return sorted(set(spans))


def _gated(text: str, marks: Marks) -> list[Span]:
    """The matches of terms and prefixes (no phrases), analysing only the runs of word characters that can
    hold one: those with a probe of a term or prefix, and those with a character outside ASCII.

    An ASCII word yields the lower-cased word, or its Porter2 stem, which keeps all but at most the word's
    last two letters (the exceptions, ``dying`` -> ``die``, ``skies`` -> ``sky``, keep the first letter),
    so it holds the probe of its term; a marked prefix starts a word; only a word with other characters is
    folded (accents) to something it does not hold. One regex search (in C) over a text then replaces
    analysing each of its ~150 words, and the result is the same (tests/index/test_snippet_gate.py).
    """
    gate = _gate(frozenset(marks.terms), frozenset(marks.prefixes))
    spans: list[Span] = []
    terms = marks.terms
    prefixes = tuple(marks.prefixes)
    at = 0
    while (found := gate.search(text, at)) is not None:
        base = found.start()  # the run holding the probe: back to its start, on to its end
        while base > 0 and _ONE_RUN_CHAR.match(text, base - 1):
            base -= 1
        run_end = _RUN_REST.match(text, found.start()).end()  # type: ignore[union-attr]  # (matches empty)
        part = text[base:run_end]
        at = max(run_end, found.start() + 1)
        if not prefixes:
            spans += [(base + s, base + e, term) for s, e, term in _TERMS.find(part, terms)]
            continue
        for term, _, s, e in _TERMS(part):
            if term in terms or fold(part[s:e]).startswith(prefixes):
                spans.append((base + s, base + e, term))
    return sorted(set(spans)) if prefixes else spans


_GATES: dict[tuple[frozenset[str], frozenset[str]], re.Pattern[str]] = {}
_MAX_GATES = 512
# The characters of a chunk of kb.index.analysis's splitter: a maximal run of them holds one chunk.
_RUN_CHAR = r"[\w.\-/'’]"
_ONE_RUN_CHAR = re.compile(_RUN_CHAR)
_RUN_REST = re.compile(f"{_RUN_CHAR}*")


def _gate(terms: frozenset[str], prefixes: frozenset[str]) -> re.Pattern[str]:
    """The regex finding a probe of ``terms`` or ``prefixes`` (any case) or a word character outside ASCII;
    compiled once per set of marks."""
    key = (terms, prefixes)
    gate = _GATES.get(key)
    if gate is not None:
        return gate
    probes = {term[: max(1, len(term) - 2)] for term in terms} | set(prefixes)
    # An ASCII word is all run characters, and folds to itself lower-cased: other probes cannot be in it.
    ascii_probes = sorted(
        (p for p in probes if p and p.isascii() and _RUN_REST.fullmatch(p)), key=lambda p: (-len(p), p)
    )
    wanted = [re.escape(probe) for probe in ascii_probes] + [f"(?=[^\\x00-\\x7f]){_RUN_CHAR}"]
    gate = re.compile("|".join(wanted), re.IGNORECASE)
    if len(_GATES) >= _MAX_GATES:
        _GATES.clear()
    _GATES[key] = gate
    return gate


def _best_window(text: str, spans: list[Span]) -> tuple[int, int]:
    """The window of WIDTH characters that shows the most distinct matched terms (then the most matches)."""
    best = (-1, -1, 0)
    j = 0
    for i, (first, _, _) in enumerate(spans):
        j = max(j, i)
        while j + 1 < len(spans) and spans[j + 1][1] - first <= WIDTH - _LEAD:
            j += 1
        inside = spans[i : j + 1]
        score = (len({term for _, _, term in inside}), len(inside))
        if score > best[:2]:
            best = (*score, first)
    lead_start = max(0, best[2] - _LEAD)
    return _widen(text, lead_start, lead_start + WIDTH)


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    # Cut at spaces so no word is broken; a window at the start or end of the text stays there.
    if start > 0:
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and start - space < 20 else start
    if end < len(text):
        space = text.find(" ", end)
        end = space if space >= 0 and space - end < 20 else end
    return start, min(end, len(text))


def _render(text: str, start: int, end: int, spans: list[Span], pair: tuple[str, str]) -> str:
    inside = [(s, e) for s, e, _ in spans if s >= start and e <= end]
    merged: list[list[int]] = []
    for s, e in inside:
        if merged and _JOIN_GAP.match(text[merged[-1][1] : s]):
            merged[-1][1] = e  # "self-attention" and "graph neural" read better as one mark
        else:
            merged.append([s, e])
    out = ["…" if start > 0 else ""]
    at = start
    for s, e in merged:
        out += [text[at:s], pair[0], text[s:e], pair[1]]
        at = e
    out += [text[at:end], "…" if end < len(text) else ""]
    return "".join(out)


def _opening(text: str) -> str:
    if len(text) <= WIDTH:
        return text
    _, end = _widen(text, 0, WIDTH)
    return text[:end] + "…"


def _flat(text: str) -> str:
    return " ".join(text.split())


def _note_snippet(text: str, marks: Marks, pair: tuple[str, str]) -> str:
    lines: list[str] = []
    for line in text.splitlines():
        spans = _matches(line, marks)
        if not spans:
            continue
        if len(line) <= WIDTH:
            lines.append(_render(line, 0, len(line), spans, pair).strip())
        else:
            start, end = _best_window(line, spans)
            lines.append(_render(line, start, end, spans, pair).strip())
        if len(lines) == _MAX_LINES:
            break
    if lines:
        return "\n".join(lines)
    return _opening("\n".join(line for line in text.splitlines() if line.strip()))


def opening(text: str) -> str:
    """The start of ``text`` on one line: the snippet of a hit whose text did not match."""
    return _flat(_opening(text))
