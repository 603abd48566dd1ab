"""The joined form of kb's terms that the tantivy engine indexes: the same terms at the same positions."""

from __future__ import annotations

import re
from pathlib import Path

import tantivy
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.index import SearchIndex
from kb.index.analysis import (
    EXACT_TERMS,
    HOLE,
    LONG,
    MAX_TERM,
    NAME_TERMS,
    SEPARATOR,
    SPACE,
    TEXT_TERMS,
    Terms,
)
from kb.index.body import SectionTerms, insection_text, prepare_sections
from kb.index.tantivy_schema import TOKENIZER, register_tokenizer
from kb.models import IndexDoc, Kind, Section, SectionKind

# Pieces that exercise every rule of the analysis: stop words, hyphens, possessives, ids with versions,
# dotted names, accents, a term over MAX_TERM characters, characters whose folding holds a space, empty values.
PIECES = [
    "the",
    "of",
    "attention",
    "Networks",
    "state-of-the-art",
    "self-attention",
    "Schölkopf's",
    "1706.03762v7",
    "hep-th/9901001",
    "cs.LG",
    "3.5",
    "x" * (MAX_TERM + 1),
    "y" * (MAX_TERM - 3),
    "a\ufe70b",
    "_",
    "'s",
    "—",
    "(",
    SEPARATOR,
    SEPARATOR,
    "\n",
    "Ωmega",
]
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=30).map(" ".join)


def indexed(joined: str) -> list[tuple[str, int]]:
    """What the ``kb`` tokenizer makes of a joined text: its tokens at consecutive positions, stop words out
    (with a term's spaces, written as SPACE, read back)."""
    tokens = [t for t in re.split("[ \t\n\x0c\r]", joined) if t]  # tantivy splits at ASCII whitespace
    return [(t.replace(SPACE, " "), pos) for pos, t in enumerate(tokens) if t not in (HOLE, LONG)]


def expected(terms: Terms | SectionTerms, text: str) -> list[tuple[str, int]]:
    """What the pre-tokenized tantivy engine indexed: every term of at most MAX_TERM characters."""
    return [(term, pos) for term, pos, _, _ in terms(text) if len(term) <= MAX_TERM]


@settings(max_examples=400)
@given(texts)
def test_joined_terms_are_the_terms_at_their_positions(text: str) -> None:
    for terms in (TEXT_TERMS, NAME_TERMS, EXACT_TERMS):
        assert indexed(terms.joined(text)) == expected(terms, text)


@settings(max_examples=300)
@given(st.lists(st.tuples(st.sampled_from(SectionKind), texts, texts), max_size=5))
def test_joined_section_terms_are_the_terms_at_their_positions(sections: list[tuple[SectionKind, str, str]]) -> None:
    text = insection_text(prepare_sections(tuple(Section(heading, body, kind) for kind, heading, body in sections)))
    terms = SectionTerms(TEXT_TERMS)
    assert indexed(terms.joined(text)) == expected(terms, text)


def test_the_holes_and_breaks_can_never_be_terms() -> None:
    text = f"a . .. {SPACE} b {HOLE}{LONG} c"
    assert indexed(TEXT_TERMS.joined(text)) == expected(TEXT_TERMS, text) == [("b", 1), ("c", 2)]


def test_tantivy_indexes_a_joined_text_at_kb_positions(tmp_path: Path) -> None:
    """The real tokenizer: consecutive positions, HOLE and LONG dropped with their positions kept."""
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("t", tokenizer_name=TOKENIZER, index_option="position")
    schema = sb.build()
    ix = tantivy.Index(schema, path=str(tmp_path), reuse=False)
    register_tokenizer(ix)
    writer = ix.writer(heap_size=20_000_000, num_threads=1)
    for doc_id, text in (("gap", f"state of the art {'z' * (MAX_TERM + 1)} model"), ("tight", "state art model")):
        doc = tantivy.Document()
        doc.add_text("id", doc_id)
        doc.add_text("t", TEXT_TERMS.joined(text))
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    ix.reload()
    searcher = ix.searcher()

    def ids(words: list[str | tuple[int, str]]) -> set[str]:
        found = searcher.search(tantivy.Query.phrase_query(schema, "t", words), 10).hits
        return {str(searcher.doc(address).get_first("id")) for _, address in found}

    assert ids([(0, "state"), (3, "art")]) == {"gap"}
    assert ids([(0, "state"), (1, "art")]) == {"tight"}
    assert ids([(0, "art"), (2, "model")]) == {"gap"}  # the long term's position is kept, its term is not indexed
    assert searcher.doc_freq("t", HOLE) == searcher.doc_freq("t", LONG) == 0


def test_a_term_holding_a_space_is_found_whole(tmp_path: Path, engine: str) -> None:
    """Folding U+FE70 (an Arabic presentation form) gives a space inside a term: still one term on both engines."""
    docs = [
        IndexDoc(id="arxiv:2401.00001", kind=Kind.PAPER, title="on a\ufe70b and more", text=""),
        IndexDoc(id="arxiv:2401.00002", kind=Kind.PAPER, title="on a b and more", text=""),
    ]
    ix = SearchIndex.open(tmp_path / "index", procs=1, engine=engine)
    try:
        ix.rebuild([docs])
        assert {hit.id for hit in ix.search("a\ufe70b", limit=10).hits} == {"arxiv:2401.00001"}
        assert {hit.id for hit in ix.search('"on a\ufe70b"', limit=10).hits} == {"arxiv:2401.00001"}
        assert {hit.id for hit in ix.search("a\ufe70*", limit=10).hits} == {"arxiv:2401.00001"}
        assert {hit.id for hit in ix.search("b", limit=10).hits} == {"arxiv:2401.00002"}
    finally:
        ix.close()
