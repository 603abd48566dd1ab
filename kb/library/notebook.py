"""Notes in the library: keeping the store's note cache in step with notes/ on disk, and the notes use cases.

notes/ is the only truth for note text and note->paper links. The store caches each note's metadata (for
backlinks without reading every file); ``sync`` brings it up to date by a scan that reads only the files
whose size or modification time changed. The cache writes queue the notes (and the papers whose has_note
flag flips) for the search index in the same transaction (kb.store.pending); the library then catches the
index up, so the notebook never touches the index itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from kb.config import NotesSettings
from kb.errors import KbError, NotFound, UsageError
from kb.library.documents import note_document
from kb.models import IndexDoc, Kind, Note
from kb.notes import (
    NoteSnapshot,
    decode_note,
    mask_code,
    note_filename,
    paper_note_text,
    parse_note,
    plain_note_text,
    read_snapshot,
    remove_abandoned,
    resolve_note_link,
    scan_notes,
    section_links,
    write_note_atomic,
)
from kb.notes.ownership import owned_urls, owns, url_key, url_variants
from kb.paths import Workspace

if TYPE_CHECKING:
    from kb.models import Item
    from kb.store import Store


class Notebook:
    """The notes of one workspace. The library builds it with its store (opened on first use) and item lookup."""

    def __init__(
        self,
        workspace: Workspace,
        store: Callable[[], Store],
        get_item: Callable[[str], Item],
        logger: logging.Logger,
        max_index_kb: int = NotesSettings.max_index_kb,
    ) -> None:
        self.workspace = workspace
        #: feeds.yaml's notes.max_index_kb: a larger note is indexed by its head (and kb says so).
        self.max_index_kb = max_index_kb
        self._store = store
        self._get_item = get_item
        self.logger = logger
        self.synced = False  # notes/ scanned by this notebook yet

    @property
    def store(self) -> Store:
        return self._store()

    # --- keeping up with the disk -----------------------------------------------------------------

    def sync(self) -> tuple[list[str], bool]:
        """Pick up notes created, edited, renamed or deleted outside kb.

        Returns one warning line per broken note, and whether the note cache (and so the index queue) changed.
        """
        self.synced = True
        if not self.workspace.notes.is_dir():
            return [], False
        changes = scan_notes(self.workspace.notes, self.store.note_records())
        remove_abandoned(changes.temps)  # what writers killed mid-save left
        fresh = self._with_posts_named_by_url([*changes.added, *changes.changed])
        if fresh or changes.deleted:
            self.store.update_notes(fresh, changes.deleted)
        warnings = changes.warnings + [self.head_only_warning(note) for note in fresh if self.head_only(note)]
        for warning in warnings:
            self.logger.warning("note: %s", warning)
        return warnings, bool(fresh or changes.deleted)

    def unchanged(self, known: Mapping[str, Note]) -> bool:
        """Whether notes/ is as the note cache ``known`` has it: nothing added, edited, renamed or deleted, no
        temp file left, nothing to warn about. Then this notebook counts as synced, with nothing written (the
        read-only path of `kb search`, kb.store.peek); otherwise the caller runs ``sync``."""
        if self.workspace.notes.is_dir():
            changes = scan_notes(self.workspace.notes, known)
            if changes.added or changes.changed or changes.deleted or changes.warnings or changes.temps:
                return False
        self.synced = True
        return True

    def head_only(self, note: Note) -> bool:
        """Whether ``note`` is over notes.max_index_kb, so that only its head is searchable."""
        return note.size > self.max_index_kb * 1024

    def head_only_warning(self, note: Note) -> str:
        return (
            f"{self.workspace.notes.name}/{note.path}: {note.size / 1e6:.1f} MB, over notes.max_index_kb "
            f"({self.max_index_kb} KB): only its first {self.max_index_kb} KB are searchable"
        )

    def _with_posts_named_by_url(self, notes: list[Note]) -> list[Note]:
        """``notes``, each also linking the stored posts its front matter names by URL (see kb.notes.ownership)."""
        urls = [variant for note in notes for key in owned_urls(note) for variant in url_variants(key)]
        if not urls:
            return notes
        posts = {url_key(url): post for url, post in self.store.post_ids_by_url(urls).items()}
        return [
            replace(note, papers=tuple(dict.fromkeys([*note.papers, *named])))
            if (named := [posts[key] for key in owned_urls(note) if key in posts])
            else note
            for note in notes
        ]

    def ensure_synced(self) -> None:
        """Sync once per notebook (each command or TUI focus syncs itself when it needs fresh notes)."""
        if not self.synced:
            self.sync()

    def note_documents(self, notes: Sequence[Note]) -> list[IndexDoc]:
        linked = sorted({paper for note in notes for paper in note.papers})
        titles = {item.id: item.title for item in self.store.get_items(linked)}
        return [note_document(self._head(note), titles) for note in notes]

    def _head(self, note: Note) -> Note:
        """``note`` with its body cut to notes.max_index_kb (at a character boundary) when it is larger."""
        if not self.head_only(note):
            return note
        cap = self.max_index_kb * 1024
        head = note.body[:cap].encode("utf-8")[:cap]  # cap characters are at least cap bytes
        return replace(note, body=head.decode("utf-8", "ignore"))

    def documents_at(self, paths: Sequence[str]) -> tuple[list[IndexDoc], list[str]]:
        """The index documents of the notes at ``paths``, read from disk now; and the paths with no file."""
        notes: list[Note] = []
        missing: list[str] = []
        for path in paths:
            try:
                with (self.workspace.notes / path).open("rb") as handle:
                    raw = handle.read()
            except OSError:  # gone (or unreadable): the index must not show it
                missing.append(path)
                continue
            notes.append(parse_note(path, raw))
        return self.note_documents(self._with_posts_named_by_url(notes)), missing

    def read_all(self) -> list[Note]:
        """Every note on disk, read afresh (for a full rebuild); the note cache is corrected where it differs.

        The rebuild reads the queue's position *after* this, so the queue rows this correction writes are
        covered by the rebuild instead of being indexed a second time by the catch-up that follows it (at
        50,000 new notes that second pass, in 5,000-document commits into a grown index, cost more than the
        rebuild itself and grew faster than the number of notes).
        """
        self.synced = True
        if not self.workspace.notes.is_dir():
            return []
        notes = self._with_posts_named_by_url(scan_notes(self.workspace.notes, {}).added)
        self._correct_cache(notes, complete=True)
        return notes

    def recheck(self, notes: list[Note]) -> list[Note]:
        """``notes`` with those changed on disk since they were read read again (stat only for the rest).

        A rebuild calls it after reading the queue's position: an edit another process synced in between
        left a queue row the rebuild clears, so the rebuild itself must index that edit.
        """
        if not self.workspace.notes.is_dir():
            return notes
        changes = scan_notes(self.workspace.notes, {note.path: note for note in notes})
        if not (changes.added or changes.changed or changes.deleted):
            return notes
        fresh = self._with_posts_named_by_url([*changes.added, *changes.changed])
        self._correct_cache(fresh, complete=False, gone=changes.deleted)
        replaced = {note.path: note for note in fresh}
        gone = set(changes.deleted)
        kept = [replaced.pop(note.path, note) for note in notes if note.path not in gone]
        return kept + list(replaced.values())

    def _correct_cache(self, notes: list[Note], complete: bool, gone: Sequence[str] = ()) -> None:
        """Write what differs between ``notes`` and the note cache (and, when ``complete``, drop the rest)."""
        known = self.store.note_records()
        # Only what differs is written: every write queues index work.
        stale = [note for note in notes if replace(note, body="") != known.get(note.path)]
        if complete:
            on_disk = {note.path for note in notes}
            gone = [path for path in known if path not in on_disk]
        if stale or gone:
            self.store.update_notes(stale, list(gone))

    def documents_of(self, notes: Sequence[Note], batch: int = 500) -> Iterable[Sequence[IndexDoc]]:
        """The index documents of ``notes``, ``batch`` at a time."""
        for start in range(0, len(notes), batch):
            yield self.note_documents(notes[start : start + batch])

    # --- reading ----------------------------------------------------------------------------------

    def list_notes(self) -> list[Note]:
        """Every note (metadata only, body empty), by path."""
        self.ensure_synced()
        return sorted(self.store.note_records().values(), key=lambda note: note.path)

    def get_note(self, path: str) -> Note:
        """The note at ``path`` (relative to notes/, or ``note:path``, or a path through notes/)."""
        relative = self.note_path(path)
        self.ensure_synced()
        note = self.store.note_records().get(relative)
        if note is None:
            raise NotFound(f"no note {relative} in {self.workspace.notes}")
        return note

    def note_path(self, text: str) -> str:
        """Normalise how a person names a note into its path relative to notes/."""
        text = text.removeprefix("note:")
        candidate = Path(text)
        if candidate.is_absolute() or candidate.exists():
            try:
                return candidate.resolve().relative_to(self.workspace.notes.resolve()).as_posix()
            except ValueError:
                raise UsageError(f"{text} is not inside {self.workspace.notes}") from None
        return candidate.as_posix().removeprefix("notes/")

    def note_file(self, note_path: str) -> Path:
        return self.workspace.notes / self.note_path(note_path)

    def notes_for_paper(self, item_id: str) -> list[Note]:
        self.ensure_synced()
        return self.store.notes_linking(item_id)

    def linked_sections(self, item_id: str) -> list[tuple[Note, tuple[str, ...]]]:
        """The notes linking this paper, each with the sections of it they link (``[[arxiv:ID#3.2]]``), by path.

        The note cache keeps no anchors, so the few linking notes are read here; one that cannot be read is listed
        without sections.
        """
        out: list[tuple[Note, tuple[str, ...]]] = []
        for note in self.notes_for_paper(item_id):
            try:
                text, _ = decode_note(self.note_file(note.path).read_bytes())
            except OSError:
                out.append((note, ()))
                continue
            links = section_links(text, mask_code(text))
            out.append((note, tuple(link.anchor for link in links if link.paper == item_id)))
        return out

    def backlinks(self, note_path: str) -> list[Note]:
        """Notes whose [[links]] lead to this note."""
        target = self.note_path(note_path)
        notes = self.list_notes()
        return [
            note
            for note in notes
            if note.path != target
            and any(
                (found := resolve_note_link(name, notes)) is not None and found.path == target
                for name in note.note_links
            )
        ]

    def note_links(self, note_path: str) -> tuple[list[str], list[Note]]:
        """What a note links: paper ids, and the notes its [[links]] resolve to."""
        note = self.get_note(note_path)
        notes = self.list_notes()
        linked = [found for name in note.note_links if (found := resolve_note_link(name, notes)) is not None]
        return list(note.papers), linked

    # --- writing ----------------------------------------------------------------------------------

    def read_note(self, note_path: str) -> tuple[str, NoteSnapshot]:
        """A note's text and the snapshot that save_note checks. Refuses a note kb could not save unchanged."""
        raw, snapshot = read_snapshot(self.note_file(note_path))
        text, clean = decode_note(raw)
        if not clean or raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            # Editing it here would write it back as UTF-8 and replace the bytes kb cannot read: refuse.
            raise KbError(f"{note_path} is not UTF-8 text; kb will not edit it", hint="open it in your own editor")
        return text, snapshot

    def save_note(self, note_path: str, text: str, snapshot: NoteSnapshot | None) -> NoteSnapshot:
        """Write a note atomically; NoteConflict when it changed on disk since ``snapshot`` was taken."""
        saved = write_note_atomic(self.note_file(note_path), text, snapshot, notes_dir=self.workspace.notes)
        self.sync()
        return saved

    def new_note(self, title: str, today: date | None = None) -> str:
        """Create a note that is not about one paper; returns its path."""
        if not title.strip():
            raise UsageError("a note needs a title")
        return self._create(title, plain_note_text(title, today or date.today()))

    def owned_notes(self, item: Item) -> list[Note]:
        """The item's own notes: those whose front matter names it (kb.notes.ownership), by path.

        Notes that only link it in their body are backlinks (notes_for_paper), never its own note.
        """
        url = item.url if item.kind is Kind.POST else None
        owned = []
        for note in self.notes_for_paper(item.id):
            try:
                raw, _ = read_snapshot(self.note_file(note.path))
            except KbError:
                continue  # gone since the last scan
            if owns(parse_note(note.path, raw), item.id, url):
                owned.append(note)
        return owned

    def note_for_paper(self, item_text: str, today: date | None = None) -> str:
        """The path of the item's own note (the first, by path), or a new one from the template."""
        owned = self.owned_notes(self._get_item(item_text))
        return owned[0].path if owned else self.new_paper_note(item_text, today)

    def new_paper_note(self, item_text: str, today: date | None = None) -> str:
        """Create a note for a paper from the template (title, authors, link, abstract); returns its path."""
        item = self._get_item(item_text)
        return self._create(item.title or item.id, paper_note_text(item, today or date.today()))

    def _create(self, title: str, text: str) -> str:
        self.ensure_synced()
        taken = [note.path for note in self.store.note_records().values()]
        taken += [p.relative_to(self.workspace.notes).as_posix() for p in self.workspace.notes.glob("*")]
        path = note_filename(title, taken)
        self.save_note(path, text, None)
        return path
