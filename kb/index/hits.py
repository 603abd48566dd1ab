"""What a hit shows: the snippet of its abstract or text, or, when only a paper's full text matched, the section it
matched in and a snippet from there (issue 14). Shared by both engines, so they show the same.

Finding the section is kept cheap, since a paper's text is some 40 KB and a page has 20 hits. The stored sections
are read only for a paper whose abstract shows no match. They are one UTF-8 string, lower-cased once (as bytes, in
C), in which a substring count of each query term's stem ranks the sections; then only a window around the likeliest
match of the best section is analysed as the index analysed it, and marks the snippet. A guess that was wrong (the
stem inside another word) moves on to the next place, the next section, and at worst the whole section.
"""

from __future__ import annotations

from collections.abc import Callable

from kb.index.body import StoredBody, decode_sections, probe_text
from kb.index.compile import Compiled, Marks
from kb.index.snippets import WIDTH, make_snippet, match_score, matched_snippet, opening
from kb.models import Kind

#: Sections tried at most per hit (best by the quick count first), and places tried in each.
_SECTIONS = 4
_PLACES = 3
#: Bytes analysed around a likely match (snippets show WIDTH characters).
_WINDOW = 4 * WIDTH

_Ranked = list[tuple[tuple[int, int], int]]  # ((distinct probes, occurrences), section number)


def hit_snippet(
    text: str, kind: Kind, compiled: Compiled, pair: tuple[str, str], sections: Callable[[], bytes | None]
) -> tuple[str, str | None]:
    """(snippet, section label or None) of one hit; ``sections`` reads the hit's stored sections when needed."""
    if kind is not Kind.PAPER:
        return make_snippet(text, compiled.marks, pair, note=kind is Kind.NOTE), None
    if _anything(compiled.marks):
        found = matched_snippet(text, compiled.marks, pair)
        if found is not None:
            return found, None
    if _anything(compiled.body_marks):
        body = decode_sections(sections())
        best = best_section(body, compiled.body_marks, compiled.kinds, pair) if body is not None else None
        if best is not None:
            return best[1], best[0] or None
    return opening(text), None


def best_section(
    body: StoredBody, marks: Marks, kinds: frozenset[str] | None, pair: tuple[str, str]
) -> tuple[str, str] | None:
    """(label, snippet) of the section (of ``kinds``) that matches ``marks`` best; None when none matches."""
    probes = [p.encode() for p in _probes(marks)]
    low = body.raw.lower()
    ranked = _rank(body, low, probes, kinds)
    for _, number in ranked[:_SECTIONS]:
        label, _, start, end = body.sections[number]
        for at in _places(low, probes, start, end)[:_PLACES]:
            window_start = max(start, at - _WINDOW // 3)
            snippet = matched_snippet(body.text(window_start, min(end, window_start + _WINDOW)), marks, pair)
            if snippet is not None:
                if window_start > start and not snippet.startswith("…"):
                    snippet = "…" + snippet
                return label, snippet
        snippet = matched_snippet(body.text(start, end), marks, pair)  # the guesses were wrong: the whole section
        if snippet is not None:
            return label, snippet
        if match_score(label, marks)[0]:  # the heading matched: show the section's start
            return label, opening(body.text(start, end))
    if not ranked and not body.raw.isascii():  # accents: "scholk" is not in "schölkopf" until folded
        return _folded(body, marks, kinds, pair)
    return None


def _rank(body: StoredBody, low: bytes, probes: list[bytes], kinds: frozenset[str] | None) -> _Ranked:
    """Sections with a probe in their heading or text, best first: (distinct probes, occurrences), then order."""
    ranked: _Ranked = []
    for number, (label, kind, start, end) in enumerate(body.sections):
        if kinds is not None and kind not in kinds:
            continue
        head = label.lower().encode()
        found = total = 0
        for probe in probes:
            count = low.count(probe, start, end) + head.count(probe)
            found += count > 0
            total += count
        if found:
            ranked.append(((found, total), number))
    ranked.sort(key=lambda pair: (-pair[0][0], -pair[0][1], pair[1]))
    return ranked


def _places(low: bytes, probes: list[bytes], start: int, end: int) -> list[int]:
    """Where a probe starts a word in ``low[start:end]``, the places with the most distinct probes near them first."""
    found: list[tuple[int, int]] = []  # (offset, probe number)
    for number, probe in enumerate(probes):
        at = low.find(probe, start, end)
        seen = 0
        while at >= 0 and seen < 50:
            if at == start or not low[at - 1 : at].isalnum():
                found.append((at, number))
                seen += 1
            at = low.find(probe, at + 1, end)
    found.sort()
    near: list[tuple[int, int]] = []
    j = 0
    for i, (at, _) in enumerate(found):
        j = max(j, i)
        while j + 1 < len(found) and found[j + 1][0] - at < WIDTH:
            j += 1
        near.append((len({n for _, n in found[i : j + 1]}), -at))
    near.sort(reverse=True)
    return [-negative for _, negative in near]


def _folded(
    body: StoredBody, marks: Marks, kinds: frozenset[str] | None, pair: tuple[str, str]
) -> tuple[str, str] | None:
    """The slow way, for texts whose words carry accents: each section folded, then analysed."""
    probes = _probes(marks)
    for label, kind, start, end in body.sections:
        if kinds is not None and kind not in kinds:
            continue
        text = body.text(start, end)
        if any(p in probe_text(text) for p in probes):
            snippet = matched_snippet(text, marks, pair)
            if snippet is not None:
                return label, snippet
    return None


def _anything(marks: Marks) -> bool:
    return bool(marks.terms or marks.prefixes or marks.phrases)


def _probes(marks: Marks) -> list[str]:
    """A substring every form of each marked term contains (Porter2 changes at most a stem's last letters)."""
    terms = set(marks.terms) | {term for phrase in marks.phrases for term, _ in phrase}
    out = {term[: max(3, len(term) - 2)] for term in terms}
    return sorted(out | set(marks.prefixes))
