"""write_note_atomic and read_snapshot on real files: atomicity, conflicts, and staying inside notes/."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from kb.errors import KbError, NoteConflict, NotFound, UsageError
from kb.notes import NoteSnapshot, read_snapshot, write_note_atomic


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    return folder


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.rglob(".kb-*"))


def test_create_then_update(notes: Path) -> None:
    path = notes / "idea.md"
    created = write_note_atomic(path, "# Idée\n", None, notes_dir=notes)
    raw, snapshot = read_snapshot(path)
    assert raw == "# Idée\n".encode()
    assert snapshot == created
    updated = write_note_atomic(path, "# Idée\n\nMore.\n", snapshot, notes_dir=notes)
    assert path.read_text(encoding="utf-8") == "# Idée\n\nMore.\n"
    assert updated == read_snapshot(path)[1]
    assert leftovers(notes) == []


def test_newlines_are_written_as_given(notes: Path) -> None:
    path = notes / "crlf.md"
    write_note_atomic(path, "a\r\nb\n", None, notes_dir=notes)
    assert path.read_bytes() == b"a\r\nb\n"


def test_creating_refuses_an_existing_file(notes: Path) -> None:
    path = notes / "mine.md"
    path.write_text("my own words\n")
    with pytest.raises(NoteConflict, match="already exists"):
        write_note_atomic(path, "template\n", None, notes_dir=notes)
    assert path.read_text() == "my own words\n"
    assert leftovers(notes) == []


def test_refuses_a_file_changed_since_it_was_read(notes: Path) -> None:
    path = notes / "paper.md"
    path.write_text("v1\n")
    _, snapshot = read_snapshot(path)
    path.write_text("edited in Obsidian meanwhile\n")  # between kb's read and its write
    with pytest.raises(NoteConflict, match="changed on disk"):
        write_note_atomic(path, "v1 + kb's link\n", snapshot, notes_dir=notes)
    assert path.read_text() == "edited in Obsidian meanwhile\n"
    assert leftovers(notes) == []


def test_same_size_edit_is_still_a_conflict(notes: Path) -> None:
    path = notes / "paper.md"
    path.write_text("aaaa\n")
    _, snapshot = read_snapshot(path)
    path.write_text("bbbb\n")
    os.utime(path, ns=(snapshot.mtime_ns, snapshot.mtime_ns))  # even with the old mtime
    with pytest.raises(NoteConflict):
        write_note_atomic(path, "cccc\n", snapshot, notes_dir=notes)
    assert path.read_text() == "bbbb\n"


def test_touched_but_identical_file_is_not_a_conflict(notes: Path) -> None:
    path = notes / "paper.md"
    path.write_text("same\n")
    _, snapshot = read_snapshot(path)
    os.utime(path, ns=(0, snapshot.mtime_ns + 5_000_000_000))
    write_note_atomic(path, "new\n", snapshot, notes_dir=notes)
    assert path.read_text() == "new\n"


def test_refuses_a_file_deleted_since_it_was_read(notes: Path) -> None:
    path = notes / "gone.md"
    path.write_text("x\n")
    _, snapshot = read_snapshot(path)
    path.unlink()
    with pytest.raises(NoteConflict, match="moved or deleted"):
        write_note_atomic(path, "y\n", snapshot, notes_dir=notes)
    assert not path.exists()


def test_permissions_are_kept(notes: Path) -> None:
    path = notes / "private.md"
    path.write_text("x\n")
    path.chmod(0o640)
    write_note_atomic(path, "y\n", read_snapshot(path)[1], notes_dir=notes)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_subfolders_are_created(notes: Path) -> None:
    write_note_atomic(notes / "papers/2026/x.md", "x\n", None, notes_dir=notes)
    assert (notes / "papers/2026/x.md").read_text() == "x\n"


@pytest.mark.parametrize("relative", ["../escape.md", "sub/../../escape.md", "/tmp/escape.md", "."])
def test_never_writes_outside_notes(notes: Path, relative: str) -> None:
    with pytest.raises(UsageError, match="not inside the notes folder"):
        write_note_atomic(notes / relative, "x\n", None, notes_dir=notes)
    assert not (notes.parent / "escape.md").exists()


def test_symlinks_cannot_lead_outside(notes: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (notes / "door").symlink_to(outside, target_is_directory=True)
    (notes / "link.md").symlink_to(outside / "target.md")
    for path in (notes / "door/x.md", notes / "link.md"):
        with pytest.raises(UsageError):
            write_note_atomic(path, "x\n", None, notes_dir=notes)
    assert list(outside.iterdir()) == []


def test_a_symlinked_note_inside_is_written_through(notes: Path) -> None:
    real = notes / "real.md"
    real.write_text("old\n")
    link = notes / "alias.md"
    link.symlink_to(real)
    write_note_atomic(link, "new\n", read_snapshot(link)[1], notes_dir=notes)
    assert link.is_symlink() and real.read_text() == "new\n"


def test_read_snapshot_errors_are_kb_errors(notes: Path) -> None:
    with pytest.raises(NotFound):
        read_snapshot(notes / "missing.md")
    with pytest.raises(UsageError):
        read_snapshot(notes)
    with pytest.raises(KbError, match="cannot write"):
        (notes / "file").write_text("a file where a folder should be")
        write_note_atomic(notes / "file/x.md", "x\n", None, notes_dir=notes)


def test_plain_tuple_snapshot_is_accepted(notes: Path) -> None:
    path = notes / "t.md"
    path.write_text("x\n")
    _, snapshot = read_snapshot(path)
    write_note_atomic(path, "y\n", NoteSnapshot(*snapshot), notes_dir=notes)
    assert path.read_text() == "y\n"


def test_concurrent_creation_has_exactly_one_winner(notes: Path) -> None:
    path = notes / "race.md"
    results: list[str] = []
    barrier = threading.Barrier(8)

    def create(n: int) -> None:
        barrier.wait()
        try:
            write_note_atomic(path, f"writer {n}\n" * 1000, None, notes_dir=notes)
            results.append(f"won {n}")
        except NoteConflict:
            results.append("conflict")

    threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [result for result in results if result.startswith("won")]
    assert len(winners) == 1 and results.count("conflict") == 7
    number = winners[0].split()[1]
    assert path.read_text() == f"writer {number}\n" * 1000
    assert leftovers(notes) == []


def test_readers_never_see_a_half_written_note(notes: Path) -> None:
    path = notes / "big.md"
    versions = [(f"{letter}" * 2_000_000 + "\n") for letter in "abcd"]
    snapshot = write_note_atomic(path, versions[0], None, notes_dir=notes)
    seen: set[str] = set()
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            seen.add(path.read_text())

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for version in versions[1:] * 3:
            snapshot = write_note_atomic(path, version, snapshot, notes_dir=notes)
    finally:
        done.set()
        thread.join()
    assert seen <= set(versions) and len(seen) >= 1
