"""A paper's full text in the index (issue 14): body:, the default fields, in:KIND, the section a hit names, math.

Every test runs on both engines (the ``engine`` fixture) with the same answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.errors import QueryError
from kb.index import SearchIndex
from kb.index.body import MAX_BODY, prepare_sections
from kb.models import IndexDoc, Kind, Section, SectionKind

from .helpers import when

SECTIONS = (
    Section(
        "Introduction", "Language models memorise facts. We study how they recall them.", SectionKind.INTRODUCTION, "1"
    ),
    Section(
        "Method",
        "We train with a contrastive objective $\\mathcal{L}_{\\text{con}}$ and label smoothing.\n\n"
        "Table 2: Hyperparameters of the zeppelin optimiser.",
        SectionKind.METHOD,
        "3.2",
        2,
    ),
    Section(
        "Results",
        "The zeppelin schedule improves recall by four points.[^1]\n\n[^1]: Averaged over five seeds.",
        SectionKind.RESULTS,
        "4",
    ),
    Section("References", "Vaswani et al. Attention is all you need. arXiv:1706.03762, 2017.", SectionKind.REFERENCES),
)

DOCS = (
    IndexDoc(
        id="arxiv:2501.11120",
        kind=Kind.PAPER,
        title="Tell me about yourself",
        text="We study behavioral self-awareness of language models.",
        published=when(2025, 1, 19),
        sections=SECTIONS,
    ),
    IndexDoc(  # the same rare word in its abstract: ranks above the paper that has it in its body only
        id="arxiv:2401.00002",
        kind=Kind.PAPER,
        title="Airships for logistics",
        text="A zeppelin carries freight over long distances.",
        published=when(2024, 1, 2),
    ),
    IndexDoc(
        id="arxiv:2401.00003",
        kind=Kind.PAPER,
        title="Zeppelin routing",
        text="Routing problems for airships.",
        published=when(2024, 1, 3),
    ),
    IndexDoc(
        id="post:0123456789ab",
        kind=Kind.POST,
        title="A post",
        text="Label smoothing explained, with a contrastive twist.",
        published=when(2024, 5, 1),
    ),
)


@pytest.fixture
def index(tmp_path: Path, engine: str) -> Iterator[SearchIndex]:
    ix = SearchIndex.open(tmp_path / "index", procs=1, engine=engine)
    ix.rebuild([DOCS])
    yield ix
    ix.close()


def ids(index: SearchIndex, query: str) -> list[str]:
    return [hit.id for hit in index.search(query, limit=50).hits]


def test_body_field_finds_words_of_the_full_text_only(index: SearchIndex) -> None:
    assert ids(index, "body:smoothing") == ["arxiv:2501.11120"]  # the post says it too, but has no body
    assert ids(index, "abstract:smoothing") == ["post:0123456789ab"]
    assert set(ids(index, "smoothing")) == {"arxiv:2501.11120", "post:0123456789ab"}  # default fields include body


def test_body_weighs_below_title_and_abstract(index: SearchIndex) -> None:
    assert ids(index, "zeppelin") == ["arxiv:2401.00003", "arxiv:2401.00002", "arxiv:2501.11120"]


def test_a_body_hit_names_its_section_and_marks_the_words(index: SearchIndex) -> None:
    hit = index.search("zeppelin recall").hits[0]
    assert hit.id == "arxiv:2501.11120"
    assert hit.section == "4 Results"
    assert "«zeppelin» schedule improves «recall»" in hit.snippet


def test_an_abstract_match_keeps_the_abstract_snippet(index: SearchIndex) -> None:
    hit = index.search("behavioral").hits[0]
    assert hit.section is None
    assert "«behavioral»" in hit.snippet


def test_captions_and_footnotes_are_found_in_their_section(index: SearchIndex) -> None:
    caption = index.search("hyperparameters").hits[0]
    assert (caption.id, caption.section) == ("arxiv:2501.11120", "3.2 Method")
    footnote = index.search('"five seeds"').hits[0]
    assert (footnote.id, footnote.section) == ("arxiv:2501.11120", "4 Results")
    assert "«five seeds»" in footnote.snippet


@pytest.mark.parametrize("query", ["\\mathcal", "body:\\mathcal", '"\\mathcal{L}"', "mathcal", "in:method \\mathcal"])
def test_latex_commands_are_findable(index: SearchIndex, query: str) -> None:
    hits = index.search(query).hits
    assert [hit.id for hit in hits] == ["arxiv:2501.11120"]
    assert hits[0].section == "3.2 Method"


def test_in_narrows_body_matches_to_sections_of_that_kind(index: SearchIndex) -> None:
    assert ids(index, "in:method zeppelin") == ["arxiv:2501.11120"]  # the caption, in 3.2 Method
    assert ids(index, "in:introduction zeppelin") == []
    assert index.search("in:results zeppelin").hits[0].section == "4 Results"
    assert index.search("in:method zeppelin").hits[0].section == "3.2 Method"
    assert ids(index, "in:(introduction OR results) zeppelin") == ["arxiv:2501.11120"]
    assert ids(index, "-in:method -in:results zeppelin") == []
    assert ids(index, "in:references 1706.03762") == ["arxiv:2501.11120"]
    assert ids(index, "in:refs attention") == ["arxiv:2501.11120"]  # an alias
    assert ids(index, "in:method zeppel*") == ["arxiv:2501.11120"]
    assert ids(index, 'in:method "label smoothing"') == ["arxiv:2501.11120"]


def test_in_keeps_other_fields_and_filters(index: SearchIndex) -> None:
    assert ids(index, "in:method title:tell contrastive") == ["arxiv:2501.11120"]
    assert ids(index, "in:method title:airships contrastive") == []
    assert ids(index, "in:method contrastive year:2024") == []


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("in:methodz dropout", "unknown section kind 'methodz' at position 4"),
        ("dropout in:", "'in:' at position 9 needs a value"),
        ("in:method", "in: needs words"),
        ("dropout OR in:method", "applies to the whole query"),
        ("-(in:method dropout)", "applies to the whole query"),
        ("in:method -in:method dropout", "excludes every kind"),
    ],
)
def test_bad_in_is_one_clear_error(index: SearchIndex, query: str, where: str) -> None:
    with pytest.raises(QueryError) as caught:
        index.search(query)
    assert where in str(caught.value)
    if "unknown section kind" in where:
        assert "method, experiments" in str(caught.value)  # lists the kinds


def test_an_id_in_references_finds_the_citing_paper(index: SearchIndex) -> None:
    assert "arxiv:2501.11120" in ids(index, "1706.03762")


def test_updating_a_paper_replaces_its_body(index: SearchIndex) -> None:
    paper = DOCS[0]
    index.update([IndexDoc(id=paper.id, kind=paper.kind, title=paper.title, text=paper.text)])
    assert ids(index, "body:zeppelin") == []
    index.update([paper])
    assert ids(index, "body:zeppelin") == ["arxiv:2501.11120"]


def test_the_body_is_bounded() -> None:
    huge = tuple(Section(f"Part {n}", "word " * 100_000, SectionKind.OTHER, str(n)) for n in range(100))
    kept = prepare_sections(huge)
    assert sum(len(s.text) + len(s.label) for s in kept) <= MAX_BODY
    assert 1 < len(kept) < len(huge)


def test_a_huge_body_indexes_its_start(tmp_path: Path, engine: str) -> None:
    opening = Section("Opening", "quokka " + "filler " * 10_000, SectionKind.OTHER, "1")
    tail = Section("Tail", "wombat", SectionKind.OTHER, "2")
    sections = (opening, *(Section(str(n), "filler " * 100_000, SectionKind.OTHER) for n in range(30)), tail)
    doc = IndexDoc(id="arxiv:2401.09999", kind=Kind.PAPER, title="Big", text="", sections=sections)
    with SearchIndex.open(tmp_path / "ix", procs=1, engine=engine) as ix:
        ix.rebuild([[doc]])
        assert ids(ix, "quokka") == ["arxiv:2401.09999"]
        assert ids(ix, "wombat") == []


def test_hits_without_a_full_text_beside_one_that_has_it(index: SearchIndex) -> None:
    hit = index.search("logistics").hits[0]  # its title only: the abstract's opening, no section
    assert (hit.id, hit.section) == ("arxiv:2401.00002", None)
    assert hit.snippet.startswith("A zeppelin carries freight")
