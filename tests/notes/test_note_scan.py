"""scan_notes on a real folder: first scan, nothing changed, edits, renames, deletions, hidden folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from kb.models import Note
from kb.notes import scan_notes
from tests.notes.conftest import NOTE_PATHS


def records(notes: list[Note]) -> dict[str, Note]:
    return {note.path: note for note in notes}


def first_scan(vault: Path) -> dict[str, Note]:
    changes = scan_notes(vault, {})
    assert changes.changed == [] and changes.deleted == []
    return records(changes.added)


def test_first_scan_finds_every_visible_note(vault: Path) -> None:
    changes = scan_notes(vault, {})
    assert [note.path for note in changes.added] == NOTE_PATHS  # sorted, forward slashes
    assert "unicode/注意力机制.md" in NOTE_PATHS
    for note in changes.added:
        stat = (vault / note.path).stat()
        assert (note.mtime_ns, note.size) == (stat.st_mtime_ns, stat.st_size)


def test_warnings_name_the_file_and_line(vault: Path) -> None:
    warnings = scan_notes(vault, {}).warnings
    broken = [line for line in warnings if "daily/2026-11-22.md" in line]
    assert len(broken) == 1
    assert broken[0].startswith("notes/daily/2026-11-22.md: line 4: ")
    assert any(line.startswith("notes/inbox/latin1.md: not valid UTF-8") for line in warnings)
    assert len(warnings) == 2


def test_two_notes_with_the_same_title_are_both_kept(vault: Path) -> None:
    known = first_scan(vault)
    same = [note for note in known.values() if note.title == "Same Title"]
    assert sorted(note.path for note in same) == ["duplicates/a/Same Title.md", "duplicates/b/same-title.md"]


def test_nothing_changed(vault: Path) -> None:
    known = first_scan(vault)
    changes = scan_notes(vault, known)
    assert (changes.added, changes.changed, changes.deleted, changes.warnings) == ([], [], [], [])
    assert changes.unchanged == len(NOTE_PATHS)


def test_unchanged_files_are_not_read(vault: Path) -> None:
    known = first_scan(vault)
    path = vault / "Home.md"
    stat = path.stat()
    # Same size and mtime but other bytes: a scan that read the file would see the new title.
    path.write_bytes(b"# Other notes" + b"x" * (stat.st_size - len(b"# Other notes")))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert scan_notes(vault, known).changed == []


def test_edit_rename_delete_and_add(vault: Path) -> None:
    known = first_scan(vault)
    edited = vault / "papers/attention-is-all-you-need.md"
    edited.write_text(edited.read_text() + "\nAlso [[arxiv:2010.11929]].\n")
    os.utime(edited, ns=(0, known[edited.relative_to(vault).as_posix()].mtime_ns + 1_000_000_000))
    (vault / "topics/Linear Algebra.md").rename(vault / "topics/linear-algebra-strang.md")
    (vault / "Home.md").unlink()
    (vault / "new").mkdir()
    (vault / "new/idea.MD").write_text("# Idea\n")

    changes = scan_notes(vault, known)

    assert [note.path for note in changes.added] == ["new/idea.MD", "topics/linear-algebra-strang.md"]
    assert [note.path for note in changes.changed] == ["papers/attention-is-all-you-need.md"]
    assert changes.changed[0].papers[-1] == "arxiv:2010.11929"
    assert changes.deleted == ["Home.md", "topics/Linear Algebra.md"]  # the rename is a delete + an add
    assert changes.unchanged == len(NOTE_PATHS) - 3


def test_the_readme_kb_init_writes_is_not_a_note(vault: Path) -> None:
    paths = {note.path for note in scan_notes(vault, {}).added}
    assert "README.md" not in paths and "papers/README.md" in paths
    (vault / "readme.MD").unlink(missing_ok=True)
    (vault / "README.md").rename(vault / "readme.MD")  # by name, in any case (macOS and Windows ignore it)
    assert "readme.MD" not in {note.path for note in scan_notes(vault, {}).added}


def test_a_deleted_folder_deletes_its_notes(vault: Path) -> None:
    known = first_scan(vault)
    shutil.rmtree(vault / "duplicates")
    changes = scan_notes(vault, known)
    assert changes.deleted == ["duplicates/a/Same Title.md", "duplicates/b/same-title.md"]


def test_hidden_and_temporary_files_are_skipped(vault: Path) -> None:
    (vault / ".kb-0123456789abcdef.tmp").write_text("# an interrupted write\n")
    (vault / "papers/.#lock.md").write_text("# an editor's lock file\n")
    paths = {note.path for note in scan_notes(vault, {}).added}
    assert not any(part.startswith(".") for path in paths for part in path.split("/"))


def test_symlinked_folders_are_not_followed(vault: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# outside the vault\n")
    (vault / "loop").symlink_to(vault, target_is_directory=True)
    (vault / "escape").symlink_to(outside, target_is_directory=True)
    paths = [note.path for note in scan_notes(vault, {}).added]
    assert paths == NOTE_PATHS


def test_undecodable_file_name_is_skipped_with_a_warning(vault: Path) -> None:
    name = os.fsencode(vault) + b"/caf\xe9.md"
    try:
        with open(name, "wb") as handle:
            handle.write(b"# latin-1 name\n")
    except OSError:
        pytest.skip("this file system refuses non-UTF-8 names")
    changes = scan_notes(vault, {})
    assert [note.path for note in changes.added] == NOTE_PATHS
    assert any("not valid UTF-8; rename it" in line for line in changes.warnings)


def test_missing_notes_folder(tmp_path: Path) -> None:
    assert scan_notes(tmp_path / "absent", {}).warnings == []
    known = {"a.md": Note(path="a.md", title="a", body="")}
    changes = scan_notes(tmp_path / "absent", known)
    assert changes.deleted == ["a.md"]
    assert "does not exist" in changes.warnings[0]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can list any folder")
def test_a_folder_that_cannot_be_listed_loses_nothing(vault: Path) -> None:
    known = first_scan(vault)
    locked = vault / "duplicates"
    locked.chmod(0)
    try:
        changes = scan_notes(vault, known)
    finally:
        locked.chmod(0o755)
    assert changes.deleted == []  # its notes are still there, only unreadable for now
    assert any(line.startswith("notes/duplicates/: cannot list the folder") for line in changes.warnings)
