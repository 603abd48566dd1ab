"""paper_note_text and plain_note_text: the notes kb creates read back exactly, for real and odd titles."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.errors import UsageError
from kb.models import Author, Item, Kind
from kb.notes import add_paper_link, paper_note_text, parse_note, plain_note_text
from kb.notes.frontmatter import load, locate
from tests.notes.corpus_items import corpus_papers

TODAY = date(2026, 11, 22)


def front(text: str) -> dict[str, object]:
    block = locate(text)
    assert block is not None and block.closed
    data, error = load(text[block.yaml_start : block.yaml_end])
    assert error is None, error
    return data


def paper(title: str, summary: str = "An abstract.", authors: tuple[str, ...] = ("Ashish Vaswani",)) -> Item:
    return Item(
        id="arxiv:1706.03762",
        kind=Kind.PAPER,
        title=title,
        summary=summary,
        url="http://arxiv.org/abs/1706.03762v7",
        authors=tuple(Author(name) for name in authors),
        published=datetime(2017, 6, 12, tzinfo=UTC),
        pdf_url="https://arxiv.org/pdf/1706.03762v7",
    )


def test_paper_note_layout() -> None:
    text = paper_note_text(paper("Attention Is All You Need", "First line\n  wrapped.\n\nSecond paragraph."), TODAY)
    assert text == (
        "---\n"
        "title: Attention Is All You Need\n"
        "authors: [Ashish Vaswani]\n"
        "year: 2017\n"
        "arxiv: https://arxiv.org/abs/1706.03762\n"
        "papers: [arxiv:1706.03762]\n"
        "tags: []\n"
        "created: 2026-11-22\n"
        "---\n"
        "\n"
        "# Attention Is All You Need\n"
        "\n"
        "[arXiv:1706.03762](https://arxiv.org/abs/1706.03762) · [PDF](https://arxiv.org/pdf/1706.03762v7)\n"
        "\n"
        "> First line wrapped.\n"
        ">\n"
        "> Second paragraph.\n"
        "\n"
        "## Notes\n"
        "\n"
    )


@pytest.mark.parametrize(
    "title",
    [
        "BERT: Pre-training of Deep Bidirectional Transformers",
        'The "Quoted" Title',
        "'Single' quotes: and # hashes",
        "- starts like a list item",
        "yes",
        "null",
        "1706.10000",
        "[not] {a} flow, collection",
        "Über Straße: 注意力机制 & ∑ unicode",
        "Tab\there and a \x7f control",
        "@at & *star !bang %percent `tick`",
    ],
)
def test_awkward_titles_read_back(title: str) -> None:
    text = paper_note_text(paper(title, authors=("O'Neil, J.", "Smith: Jr", "- Dash")), TODAY)
    data = front(text)
    expected = " ".join(title.split())
    assert data["title"] == expected
    assert data["authors"] == ["O'Neil, J.", "Smith: Jr", "- Dash"]
    note = parse_note("n.md", text.encode())
    assert note.front_matter_error is None
    assert (note.title, note.papers, note.created) == (expected, ("arxiv:1706.03762",), "2026-11-22")


def test_real_papers_from_the_corpus_read_back(corpus: Path) -> None:
    papers = corpus_papers(corpus)
    assert len(papers) > 100
    for item in papers:
        text = paper_note_text(item, TODAY)
        note = parse_note("n.md", text.encode())
        assert note.front_matter_error is None, item.id
        assert note.title == " ".join(item.title.split())
        assert note.papers[0] == item.id
        assert front(text)["authors"] == [" ".join(author.name.split()) for author in item.authors]
        assert front(text)["year"] == str(item.published.year if item.published else None)
        assert add_paper_link(text, item.id) is text  # already linked: the template's own list
        assert "arxiv:2401.00001" in parse_note("n.md", add_paper_link(text, "2401.00001").encode()).papers


def test_post_note_links_the_post() -> None:
    post = Item(id="post:abc", kind=Kind.POST, title="Lil'Log: Agents", summary="", url="https://x.test/agents/")
    text = paper_note_text(post, TODAY)
    data = front(text)
    assert data["url"] == "https://x.test/agents/" and data["papers"] == [] and data["post"] == "post:abc"
    assert "<https://x.test/agents/>" in text


def test_plain_note() -> None:
    text = plain_note_text("  Reading: list ", TODAY)
    assert text == "---\ntitle: 'Reading: list'\ntags: []\ncreated: 2026-11-22\n---\n\n# Reading: list\n\n"
    assert parse_note("n.md", text.encode()).title == "Reading: list"
    with pytest.raises(UsageError):
        plain_note_text(" \n ", TODAY)


@given(
    title=st.text(min_size=1, max_size=80).filter(lambda s: s.strip() != ""),
    authors=st.lists(st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != ""), max_size=3),
    summary=st.text(max_size=200),
)
def test_any_title_and_authors_give_valid_front_matter(title: str, authors: list[str], summary: str) -> None:
    text = paper_note_text(paper(title, summary, tuple(authors)), TODAY)
    note = parse_note("n.md", text.encode())
    assert note.front_matter_error is None
    assert note.papers[0] == "arxiv:1706.03762"
    expected = " ".join(title.split())
    assert front(text)["title"] == expected and note.title == expected
    plain = parse_note("p.md", plain_note_text(title, TODAY).encode())
    assert plain.front_matter_error is None and plain.title == expected
