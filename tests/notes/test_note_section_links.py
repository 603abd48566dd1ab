"""Links to a section of a paper (issue 14): ``[[arxiv:ID#3.2]]`` or by heading, parsed, and listed in backlinks."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.library import Library, init_workspace
from kb.models import FetchedItem, Kind
from kb.notes import SectionLink, mask_code, paper_anchor, parse_note, section_links
from tests.support.inside import store_of

NOTE = """# Reading

The method is in [[arxiv:2501.11120#3.2]] and the survey of it in [[arxiv:2501.11120#Related work|related]].
Nested headings name the last: [[arxiv:2501.11120v2#Method#Training data]].
A plain link [[arxiv:1706.03762]] and a note link [[other-note#Heading]].
Again [[arxiv:2501.11120#3.2]].

> [[arxiv:2203.00130#4]] quoted: someone else's words.

`[[arxiv:2206.10883#1]]` in code.
"""


def links(text: str) -> tuple[SectionLink, ...]:
    return section_links(text, mask_code(text))


def test_section_links_by_number_and_heading_in_order_each_once() -> None:
    assert links(NOTE) == (
        SectionLink("arxiv:2501.11120", "3.2"),
        SectionLink("arxiv:2501.11120", "Related work"),
        SectionLink("arxiv:2501.11120", "Training data"),
    )


def test_a_section_link_still_links_its_paper() -> None:
    note = parse_note("reading.md", NOTE.encode())
    assert note.papers == ("arxiv:2501.11120", "arxiv:1706.03762")
    assert note.note_links == ("other-note",)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("arxiv:2501.11120#3.2", SectionLink("arxiv:2501.11120", "3.2")),
        ("2501.11120v1#  Related   work ", SectionLink("arxiv:2501.11120", "Related work")),
        ("arxiv:hep-th/9901001#A.1|appendix", SectionLink("arxiv:hep-th/9901001", "A.1")),
        ("arxiv:2501.11120", None),
        ("arxiv:2501.11120#", None),
        ("some-note#Method", None),
    ],
)
def test_paper_anchor(target: str, expected: SectionLink | None) -> None:
    assert paper_anchor(target) == expected


def test_backlinks_name_the_sections_a_note_links(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    init_workspace(root)
    (root / "notes" / "reading.md").write_text(NOTE, encoding="utf-8")
    (root / "notes" / "plain.md").write_text("Only [[arxiv:2501.11120]] here.\n", encoding="utf-8")
    with Library.open(root) as library:
        paper = FetchedItem(id="arxiv:2501.11120", kind=Kind.PAPER, title="Tell me about yourself", summary="", url="u")
        store_of(library).upsert_items([paper], "test")
        library.sync_notes(index=False)
        linked = {note.path: anchors for note, anchors in library.linked_sections("arxiv:2501.11120")}
    assert linked == {"plain.md": (), "reading.md": ("3.2", "Related work", "Training data")}
