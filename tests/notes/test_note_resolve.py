"""resolve_note_link: Obsidian-style [[name]] resolution over the notes of a real vault."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.models import Note
from kb.notes import resolve_note_link, scan_notes


@pytest.fixture
def notes(vault: Path) -> list[Note]:
    return scan_notes(vault, {}).added


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("attention-is-all-you-need", "papers/attention-is-all-you-need.md"),  # file stem
        ("Attention-Is-All-You-Need", "papers/attention-is-all-you-need.md"),  # case-insensitive
        ("papers/gpt3", "papers/gpt3.md"),  # path without .md
        ("papers/gpt3.md", "papers/gpt3.md"),
        ("papers/gpt3#Results|GPT-3", "papers/gpt3.md"),  # heading and alias ignored
        ("Linear Algebra", "topics/Linear Algebra.md"),  # a stem with a space
        ("Language Models are Few-Shot Learners", "papers/gpt3.md"),  # by title
        ("transformers (TOPIC)", "topics/transformers.md"),
        ("注意力机制", "unicode/注意力机制.md"),
    ],
)
def test_resolves(notes: list[Note], name: str, path: str) -> None:
    found = resolve_note_link(name, notes)
    assert found is not None and found.path == path


@pytest.mark.parametrize("name", ["", "   ", "#heading", "nothing-like-this", "papers", "gpt"])
def test_unresolved(notes: list[Note], name: str) -> None:
    assert resolve_note_link(name, notes) is None


def test_path_beats_stem_beats_title_and_shortest_path_wins() -> None:
    notes = [
        Note(path="deep/x/plan.md", title="Roadmap", body=""),
        Note(path="plan.md", title="Something", body=""),
        Note(path="roadmap/plan.md", title="Other", body=""),
        Note(path="b/roadmap.md", title="Later", body=""),
        Note(path="a/roadmap.md", title="Earlier", body=""),
    ]
    assert resolve_note_link("plan", notes) == notes[1]  # shortest path among equal stems
    assert resolve_note_link("roadmap/plan", notes) == notes[2]  # the exact path first
    assert resolve_note_link("roadmap", notes) == notes[4]  # stem before title; ties alphabetical
    assert resolve_note_link("Something", notes) == notes[1]


def test_same_title_notes_resolve_by_stem(notes: list[Note]) -> None:
    found = resolve_note_link("same-title", notes)
    assert found is not None and found.path == "duplicates/b/same-title.md"
    by_title = resolve_note_link("same title", notes)  # the stem of duplicates/a/ matches first
    assert by_title is not None and by_title.path == "duplicates/a/Same Title.md"


def test_accepts_any_iterable(notes: list[Note]) -> None:
    assert resolve_note_link("gpt3", iter(notes)) is not None
