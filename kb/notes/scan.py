"""Find what changed under notes/ since the last scan, reading only the files that did."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from kb.atomic import is_temp_name
from kb.errors import UsageError
from kb.models import Note
from kb.notes.parse import decode_note, parse_text


@dataclass(frozen=True)
class NoteChanges:
    """What a scan of notes/ found, each list sorted by path. A rename is a deletion plus an addition."""

    added: list[Note] = field(default_factory=list)
    changed: list[Note] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # one readable line each, naming the file
    unchanged: int = 0
    temps: list[str] = field(default_factory=list)  # kb's own temp files seen (kb.notes.files.remove_abandoned)


class _Seen(NamedTuple):
    path: str  # a plain string: building 5,000 Path objects would double the cost of a no-change scan
    mtime_ns: int
    size: int


#: notes/README.md is kb's guide to the folder (`kb init` writes it), not a note: never indexed nor linked.
#: Compared case-insensitively, as macOS and Windows name files; a README.md in a subfolder is a note.
GUIDE = "readme.md"


def scan_notes(notes_dir: Path, known: Mapping[str, Note]) -> NoteChanges:
    """Compare the *.md files under ``notes_dir`` with ``known`` (by relative path) by (mtime_ns, size).

    Hidden files and folders (.obsidian, .git, .trash, kb's own temp files) are skipped, and so are symlinked
    folders (they can loop or lead out of notes/) and the guide notes/README.md (GUIDE). Only new and changed
    files are read.
    """
    if not notes_dir.exists():
        warnings = [f"{notes_dir}: the notes folder does not exist"] if known else []
        return NoteChanges(deleted=sorted(known), warnings=warnings)
    if not notes_dir.is_dir():
        raise UsageError(f"{notes_dir} is not a folder", hint="notes/ must be a folder of markdown files")
    seen, unreadable, warnings, temps = _walk(notes_dir)
    added: list[Note] = []
    changed: list[Note] = []
    for relative in sorted(seen):
        entry = seen[relative]
        old = known.get(relative)
        if old is not None and (old.mtime_ns, old.size) == (entry.mtime_ns, entry.size):
            continue
        note = _read(Path(entry.path), relative, notes_dir.name, warnings)
        if note is not None:
            (added if old is None else changed).append(note)
    deleted = [path for path in sorted(known) if path not in seen and not any(path.startswith(d) for d in unreadable)]
    unchanged = len(seen) - len(added) - len(changed)
    return NoteChanges(added, changed, deleted, warnings, unchanged, temps)


def _walk(notes_dir: Path) -> tuple[dict[str, _Seen], list[str], list[str], list[str]]:
    """Every visible *.md file as relative path -> stat; folders that could not be listed; warnings; kb temps."""
    seen: dict[str, _Seen] = {}
    unreadable: list[str] = []
    warnings: list[str] = []
    temps: list[str] = []
    stack: list[tuple[str, str]] = [(os.fspath(notes_dir), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            # Notes we knew under a folder we cannot list are not deleted: keep them.
            unreadable.append(prefix)
            warnings.append(f"{notes_dir.name}/{prefix}: cannot list the folder ({exc.strerror})")
            continue
        for entry in entries:
            if entry.name.startswith(".") or (not prefix and entry.name.casefold() == GUIDE):
                if is_temp_name(entry.name):
                    temps.append(entry.path)
                continue
            relative = prefix + entry.name
            if not _valid_name(relative):
                warnings.append(f"{notes_dir.name}/{relative!a}: the file name is not valid UTF-8; rename it")
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, relative + "/"))
                elif entry.name.lower().endswith(".md") and entry.is_file():
                    stat = entry.stat()
                    seen[relative] = _Seen(entry.path, stat.st_mtime_ns, stat.st_size)
            except OSError as exc:  # vanished or a dangling link: as if it were not there
                warnings.append(f"{notes_dir.name}/{relative}: cannot read ({exc.strerror})")
    return seen, unreadable, warnings, temps


def _valid_name(relative: str) -> bool:
    # Undecodable bytes in a file name come back as lone surrogates that no database or index can store.
    try:
        relative.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _read(path: Path, relative: str, folder: str, warnings: list[str]) -> Note | None:
    """Read and parse one note; None (with a warning) when it cannot be read."""
    try:
        with path.open("rb") as handle:
            raw = handle.read()
            # Stat the open file, so the record matches the bytes that were parsed.
            mtime_ns = os.fstat(handle.fileno()).st_mtime_ns
    except OSError as exc:
        warnings.append(f"{folder}/{relative}: cannot read ({exc.strerror})")
        return None
    text, valid = decode_note(raw)
    note = parse_text(relative, text, mtime_ns, len(raw))
    if not valid:
        warnings.append(f"{folder}/{relative}: not valid UTF-8; undecodable bytes are read as '\ufffd'")
    if note.front_matter_error is not None:
        warnings.append(f"{folder}/{relative}: {note.front_matter_error} (front matter ignored: indexed as plain text)")
    return note
