"""note_filename: readable, unique, and valid on Windows, macOS and Linux for any title."""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.notes import note_filename

WINDOWS_FORBIDDEN = set('<>:"/\\|?*') | {chr(code) for code in range(32)} | {"\x7f"}
RESERVED = {"con", "prn", "aux", "nul"} | {f"{d}{n}" for d in ("com", "lpt") for n in "0123456789¹²³"}


def assert_safe(name: str) -> None:
    """The rules of the three systems a notes folder is synced between."""
    assert name.endswith(".md")
    stem = name[:-3]
    assert stem and stem not in (".", "..")
    assert not (set(name) & WINDOWS_FORBIDDEN), name
    assert not name.endswith((".", " ")) and not stem.endswith((".", " "))
    assert stem.split(".")[0].casefold() not in RESERVED
    assert not stem.startswith(("-", ".")), name  # not an option to a shell, not hidden
    assert len(name.encode("utf-8")) <= 255 and len(name.encode("utf-16-le")) // 2 <= 255
    assert unicodedata.is_normalized("NFC", name)
    assert all(unicodedata.category(char) not in ("Cs", "Co", "Cn", "Zl", "Zp") for char in name)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Attention Is All You Need", "attention-is-all-you-need.md"),
        (
            "BERT: Pre-training of Deep Bidirectional Transformers",
            "bert-pre-training-of-deep-bidirectional-transformers.md",
        ),
        ("  ../../etc/passwd  ", "etc-passwd.md"),
        ("C:\\Windows\\System32", "c-windows-system32.md"),
        ("CON", "con-note.md"),
        ("nul", "nul-note.md"),
        ("Ｆｕｌｌ　ｗｉｄｔｈ", "full-width.md"),
        ("Über Straße café", "über-straße-café.md"),
        ("注意力机制", "注意力机制.md"),
        ("???", "untitled.md"),
        ("", "untitled.md"),
        ("🚀 🎉", "untitled.md"),
        ("trailing dots...", "trailing-dots.md"),
    ],
)
def test_readable_slugs(title: str, expected: str) -> None:
    assert note_filename(title, ()) == expected


def test_decomposed_input_becomes_nfc() -> None:
    assert note_filename(unicodedata.normalize("NFD", "Café"), ()) == "café.md"


def test_long_titles_are_cut_at_a_word() -> None:
    name = note_filename("word " * 40, ())
    assert len(name) <= 80 + 3 and name.endswith("word.md")
    cjk = note_filename("字" * 300, ())
    assert len(cjk.encode()) <= 203


def test_collisions_are_case_insensitive_and_across_folders() -> None:
    existing = ["Attention-Is-All-You-Need.md", "papers/attention-is-all-you-need-2.md"]
    assert note_filename("Attention is all you need", existing) == "attention-is-all-you-need-3.md"
    assert note_filename("Café", ["cafe\u0301.md"]) == "café-2.md"  # macOS hands back NFD names
    names: list[str] = []
    for _ in range(12):
        names.append(note_filename("Same", names))
    assert names[:3] == ["same.md", "same-2.md", "same-3.md"] and len(set(names)) == 12


def test_suffix_keeps_the_length_bound() -> None:
    title = "x" * 200
    first = note_filename(title, ())
    second = note_filename(title, [first])
    assert second.endswith("-2.md") and len(second) == len(first)


@given(
    title=st.text(max_size=300),
    existing=st.lists(st.text(max_size=30).map(lambda s: s + ".md"), max_size=5),
)
def test_any_title_gives_a_safe_unique_name_inside_notes(title: str, existing: list[str]) -> None:
    existing = [*existing, note_filename(title, ())]  # force at least one collision
    name = note_filename(title, existing)
    assert_safe(name)
    folded = {unicodedata.normalize("NFC", Path(path).stem).casefold() for path in existing}
    assert unicodedata.normalize("NFC", name[:-3]).casefold() not in folded
    with tempfile.TemporaryDirectory() as tmp:
        notes = Path(tmp) / "notes"
        notes.mkdir()
        path = notes / name
        assert path.resolve().parent == notes.resolve()
        path.write_text("x")  # the file system accepts it
        assert [child.name for child in notes.iterdir()] == [name]
