"""What a hit shows: the snippet of its abstract or text, or, when only a paper's full text matched, the section it
matched in and a snippet from there (issue 14). Shared by both engines, so they show the same.

Finding the section is kept cheap: the stored sections are read only for a paper whose abstract shows no match, a
quick substring count (in C) of each query term's stem ranks the sections, and only the best few are analysed as
the index analysed them, the first that really matches giving the snippet.
"""

from __future__ import annotations

from collections.abc import Callable

from kb.index.body import BodySection, decode_sections, probe_text
from kb.index.compile import Compiled, Marks
from kb.index.snippets import make_snippet, match_score, matched_snippet, opening
from kb.models import Kind

#: Sections analysed at most per hit, best by the quick count first.
_TRIED = 4


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
        best = best_section(decode_sections(sections()), compiled.body_marks, compiled.kinds, pair)
        if best is not None:
            return best[1], best[0].label or None
    return opening(text), None


def best_section(
    sections: tuple[BodySection, ...], marks: Marks, kinds: frozenset[str] | None, pair: tuple[str, str]
) -> tuple[BodySection, str] | None:
    """The section (of ``kinds``) that matches ``marks`` best, with its snippet; None when none matches."""
    if not sections:
        return None
    probes = _probes(marks)
    ranked: list[tuple[tuple[int, int], int]] = []
    for number, section in enumerate(sections):
        if kinds is not None and section.kind not in kinds:
            continue
        folded = probe_text(f"{section.label}\n{section.text}")
        counts = [folded.count(probe) for probe in probes]
        found = sum(1 for count in counts if count)
        if found:
            ranked.append(((found, sum(counts)), -number))
    ranked.sort(reverse=True)
    for _, negative in ranked[:_TRIED]:
        section = sections[-negative]
        snippet = matched_snippet(section.text, marks, pair)
        if snippet is not None:
            return section, snippet
        if match_score(section.label, marks)[0]:  # the heading matched: show the section's start
            return section, opening(section.text)
    return None


def _anything(marks: Marks) -> bool:
    return bool(marks.terms or marks.prefixes or marks.phrases)


def _probes(marks: Marks) -> list[str]:
    """A substring every form of each marked term contains (Porter2 changes at most a stem's last letters)."""
    terms = set(marks.terms) | {term for phrase in marks.phrases for term, _ in phrase}
    out = {term[: max(3, len(term) - 2)] for term in terms}
    return sorted(out | set(marks.prefixes))
