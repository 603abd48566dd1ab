"""The analyzer: folding, stemming, hyphens, ids and categories, positions kept across dropped words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.formats import Positions

from kb.index.analysis import NAME_ANALYZER, SEPARATOR, TEXT_ANALYZER, KbPositions, fold

TERMS = TEXT_ANALYZER.terms()


def terms(text: str) -> list[str]:
    return [t for t, _, _, _ in TERMS(text)]


def test_case_and_accents_fold() -> None:
    assert fold("Schölkopf") == "scholkopf"
    assert fold("Łódź Æsir straße") == "lodz aesir strasse"
    assert terms("SCHÖLKOPF") == terms("scholkopf") == ["scholkopf"]


def test_stemming_matches_word_forms_but_not_ids_or_numbers() -> None:
    assert terms("networks") == terms("network") == ["network"]
    assert terms("predicted prediction") == ["predict", "predict"]
    assert terms("news") == ["news"]  # porter2 keeps "news" apart from "new"
    assert terms("1706.03762 cs.LG 3.5") == ["1706.03762", "cs.lg", "3.5"]


def test_hyphenated_words_split_into_consecutive_positions() -> None:
    found = [(t, pos) for t, pos, _, _ in TERMS("self-attention layers")]
    assert found == [("self", 0), ("attent", 1), ("layer", 2)]


def test_arxiv_ids_are_kept_whole_without_version() -> None:
    assert terms("see arXiv:1706.03762v7 and hep-th/9901001v2.") == [
        "see",
        "arxiv",
        "1706.03762",
        "hep-th/9901001",
    ]
    assert terms("math.GT/0309136") == ["math.gt/0309136"]


def test_an_arxiv_id_inside_a_link_is_the_bare_id() -> None:
    # As the query side searches it: `1706.03762` finds the posts that link any version or the PDF.
    assert terms("https://arxiv.org/abs/1706.03762v7") == ["https", "arxiv.org", "ab", "1706.03762"]
    assert terms("arxiv.org/pdf/1706.03762v5.pdf") == ["arxiv.org", "pdf", "1706.03762"]
    assert terms("file 2101.00001.pdf") == ["file", "2101.00001"]
    assert terms("version/1.2v3") == ["version", "1.2v3"]  # not an arXiv id: left as it is


def test_stop_words_are_dropped_but_keep_their_positions() -> None:
    found = [(t, pos) for t, pos, _, _ in TERMS("state-of-the-art results")]
    assert found == [("state", 0), ("art", 3), ("result", 4)]


def test_possessive_s_takes_no_position() -> None:
    assert [(t, p) for t, p, _, _ in TERMS("Schölkopf's method")] == [("scholkopf", 0), ("method", 1)]


def test_character_offsets_point_into_the_original_text() -> None:
    text = "Dirk Wübben's self-attention"
    for term, _, start, end in TERMS(text):
        assert fold(text[start:end]).startswith(term[:3])


def test_separated_values_never_form_a_phrase() -> None:
    found = dict((t, p) for t, p, _, _ in NAME_ANALYZER.terms()(f"Geoffrey Hinton{SEPARATOR}Yann LeCun"))
    assert found["yann"] - found["hinton"] > 1
    assert NAME_ANALYZER.terms() is NAME_ANALYZER.terms()


def test_names_are_neither_stemmed_nor_stopped() -> None:
    assert [t for t, _, _, _ in NAME_ANALYZER.terms()("Anna De Vries")] == ["anna", "de", "vries"]


def test_fast_positions_format_writes_the_same_bytes_as_whoosh() -> None:
    text = f"Schölkopf's self-attention networks, networks and cs.LG.{SEPARATOR}Second value networks"
    assert sorted(KbPositions().word_values(text, TEXT_ANALYZER)) == sorted(
        Positions().word_values(text, TEXT_ANALYZER)
    )
    # single positions come from a table below 4096: the table's bytes, and the encoder's above it
    far = " ".join(f"w{n}" for n in range(5000)) + " w3 w4999"
    assert sorted(KbPositions().word_values(far, TEXT_ANALYZER)) == sorted(Positions().word_values(far, TEXT_ANALYZER))


def test_analyzer_yields_whoosh_tokens_with_chars() -> None:
    tokens = [
        (t.text, t.pos, t.startchar, t.endchar) for t in TEXT_ANALYZER("Graph networks", positions=True, chars=True)
    ]
    assert tokens == [("graph", 0, 0, 5), ("network", 1, 6, 14)]


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=80))
def test_any_text_gives_nonempty_terms_inside_it(text: str) -> None:
    last = -1
    for term, pos, start, end in TERMS(text):
        assert term and 0 <= start < end <= len(text)
        assert pos > last  # every term has its own, increasing position
        last = pos
