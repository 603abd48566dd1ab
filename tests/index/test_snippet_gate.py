"""The snippet maker analyses only the words that can match (kb.index.snippets._gated): it must find exactly
what analysing every word finds, for any text, ASCII or not, and any marked terms and prefixes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kb.index.analysis import TEXT_TERMS, fold
from kb.index.compile import Marks
from kb.index.snippets import _gated, make_snippet
from kb.index.tantivy_query import TantivyBuilder

TRICKY = (
    "Dying stars and the skies: Schölkopf's self-attention networks (naïve ﬁne-tuning) hoping, hopping; "
    "İstanbul KELVIN \u212a-means, cs.LG 1706.03762v2 hep-th/9901001 3.5 x_1 generously possibly ably "
    "Sensibility tendency early only gently news O’Brien’s rock-’n’-roll — ſtrange ÆTHER Œuvre"
)


def _reference(text: str, marks: Marks) -> list[tuple[int, int, str]]:
    """Every word analysed, as the snippet maker did before it was gated."""
    prefixes = tuple(marks.prefixes)
    spans = [
        (start, end, term)
        for term, _, start, end in TEXT_TERMS(text)
        if term in marks.terms or (prefixes and fold(text[start:end]).startswith(prefixes))
    ]
    return sorted(set(spans))


def _marks_of(words: list[str], prefixes: list[str]) -> Marks:
    terms = {term for word in words for term, _, _, _ in TEXT_TERMS(word)}
    return Marks(terms=terms, prefixes={fold(p) for p in prefixes if fold(p)})


def test_every_word_of_a_tricky_text_is_found_as_by_full_analysis() -> None:
    words = TRICKY.split()
    for i, word in enumerate(words):
        for prefixes in ([], [word[:3]]):
            marks = _marks_of([word, words[(i * 7) % len(words)]], prefixes)
            assert sorted(set(_gated(TRICKY, marks))) == _reference(TRICKY, marks), (word, prefixes)


def test_stemming_exceptions_are_found() -> None:
    marks = _marks_of(["dying", "skies", "lying"], [])
    found = {TRICKY[s:e] for s, e, _ in _gated(TRICKY, marks)}
    assert {"Dying", "skies"} <= found


_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .-/'’_,;:()éöüßİﬁ\u212aſαβ—\n"


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(alphabet=_ALPHABET, max_size=300),
    picks=st.lists(st.integers(min_value=0, max_value=1000), max_size=4),
    prefix_picks=st.lists(st.integers(min_value=0, max_value=1000), max_size=2),
)
def test_any_text_gives_what_full_analysis_gives(text: str, picks: list[int], prefix_picks: list[int]) -> None:
    words = text.split() or ["none"]
    chosen = [words[p % len(words)] for p in picks]
    prefixes = [words[p % len(words)][:3] for p in prefix_picks]
    marks = _marks_of(chosen, prefixes)
    assert sorted(set(_gated(text, marks))) == _reference(text, marks)


def test_a_snippet_marks_every_form_of_a_word() -> None:
    marks = _marks_of(["network"], [])
    snippet = make_snippet("Deep networks and a network of NETWORKS.", marks, ("[", "]"))
    assert snippet == "Deep [networks] and a [network] of [NETWORKS]."


def test_a_prefix_query_is_built_once_and_reused() -> None:
    builder = TantivyBuilder()
    first = builder.prefix("text", "whims")
    assert builder.prefix("text", "whims") is first
    assert builder.prefix("title", "whims") is not first
