"""Notes in the library: keeping the store's note cache and the index in step with notes/ on disk.

notes/ is the only truth for note text and note->paper links. The store caches each note's metadata (for
backlinks without reading every file) and the index holds its text; ``sync_notes`` brings both up to date by
a scan that reads only the files whose size or modification time changed.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from kb.errors import KbError, NotFound, UsageError
from kb.library.documents import note_document
from kb.library.indexlag import index_lag
from kb.models import IndexDoc, Kind, Note, note_id
from kb.notes import (
    NoteSnapshot,
    decode_note,
    note_filename,
    paper_note_text,
    parse_note,
    plain_note_text,
    read_snapshot,
    resolve_note_link,
    scan_notes,
    write_note_atomic,
)
from kb.notes.ownership import owned_urls, owns, url_key, url_variants
from kb.paths import Workspace
from kb.store import Store

if TYPE_CHECKING:
    from kb.index import SearchIndex
    from kb.models import Item


class NotesMixin:
    """The notes use cases of :class:`kb.library.Library`."""

    workspace: Workspace
    logger: logging.Logger
    _synced: bool

    @property
    def _store(self) -> Store:
        raise NotImplementedError

    @property
    def _index(self) -> SearchIndex:
        raise NotImplementedError

    def get_item(self, text: str) -> Item:
        raise NotImplementedError

    def index_items(self, ids: Collection[str]) -> None:
        raise NotImplementedError

    # --- keeping up with the disk -----------------------------------------------------------------

    def sync_notes(self, index: bool = True) -> list[str]:
        """Pick up notes created, edited, renamed or deleted outside kb. Returns one warning line per broken note."""
        self._synced = True
        if not self.workspace.notes.is_dir():
            return []
        known = self._store.note_records()
        changes = scan_notes(self.workspace.notes, known)
        fresh = self._with_posts_named_by_url([*changes.added, *changes.changed])
        if not fresh and not changes.deleted:
            return changes.warnings
        # Papers whose has_note flag may change: those linked before and after the change.
        touched = {paper for note in fresh for paper in note.papers}
        touched |= {
            paper
            for path in [*changes.deleted, *(n.path for n in changes.changed)]
            for paper in known[path].papers
            if path in known
        }
        # Once the note cache is written, the next scan sees these files as known: the index must hear of
        # them in this run, or a marker tells the next command to rebuild it (see kb.library.indexlag).
        with index_lag(self.workspace.state) if index else contextlib.nullcontext():
            self._store.save_notes(fresh)
            self._store.delete_notes(changes.deleted)
            self._store.ensure_papers(_arxiv_ids(fresh))
            if index:
                self._index.delete([note_id(path) for path in changes.deleted])
                self._index.update(self.note_documents(fresh))
                self.index_items(touched)
        for warning in changes.warnings:
            self.logger.warning("note: %s", warning)
        return changes.warnings

    def _with_posts_named_by_url(self, notes: list[Note]) -> list[Note]:
        """``notes``, each also linking the stored posts its front matter names by URL (see kb.notes.ownership)."""
        urls = [variant for note in notes for key in owned_urls(note) for variant in url_variants(key)]
        if not urls:
            return notes
        posts = {url_key(url): post for url, post in self._store.post_ids_by_url(urls).items()}
        return [
            replace(note, papers=tuple(dict.fromkeys([*note.papers, *named])))
            if (named := [posts[key] for key in owned_urls(note) if key in posts])
            else note
            for note in notes
        ]

    def ensure_synced(self) -> list[str]:
        """Sync once per library (each command or TUI focus calls sync_notes itself when it needs fresh notes)."""
        return [] if self._synced else self.sync_notes()

    def note_documents(self, notes: Sequence[Note]) -> list[IndexDoc]:
        linked = sorted({paper for note in notes for paper in note.papers})
        titles = {item.id: item.title for item in self._store.get_items(linked)}
        return [note_document(note, titles) for note in notes]

    def all_note_documents(self) -> Iterable[Sequence[IndexDoc]]:
        """Every note on disk, read afresh (for a full rebuild); also refreshes the note cache."""
        if not self.workspace.notes.is_dir():
            return
        changes = scan_notes(self.workspace.notes, {})
        notes = self._with_posts_named_by_url(changes.added)
        known = self._store.note_records()
        self._store.delete_notes([path for path in known if path not in {note.path for note in notes}])
        self._store.save_notes(notes)
        self._store.ensure_papers(_arxiv_ids(notes))
        for start in range(0, len(notes), 500):
            yield self.note_documents(notes[start : start + 500])

    # --- reading ----------------------------------------------------------------------------------

    def list_notes(self) -> list[Note]:
        """Every note (metadata only, body empty), by path."""
        self.ensure_synced()
        return sorted(self._store.note_records().values(), key=lambda note: note.path)

    def get_note(self, path: str) -> Note:
        """The note at ``path`` (relative to notes/, or ``note:path``, or a path through notes/)."""
        relative = self.note_path(path)
        self.ensure_synced()
        note = self._store.note_records().get(relative)
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
        return self._store.notes_linking(item_id)

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
        self.sync_notes()
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
        owned = self.owned_notes(self.get_item(item_text))
        return owned[0].path if owned else self.new_paper_note(item_text, today)

    def new_paper_note(self, item_text: str, today: date | None = None) -> str:
        """Create a note for a paper from the template (title, authors, link, abstract); returns its path."""
        item = self.get_item(item_text)
        return self._create(item.title or item.id, paper_note_text(item, today or date.today()))

    def _create(self, title: str, text: str) -> str:
        self.ensure_synced()
        taken = [note.path for note in self._store.note_records().values()]
        taken += [p.relative_to(self.workspace.notes).as_posix() for p in self.workspace.notes.glob("*")]
        path = note_filename(title, taken)
        self.save_note(path, text, None)
        return path


def _arxiv_ids(notes: Iterable[Note]) -> list[str]:
    """The arXiv papers ``notes`` link (posts they name are stored already), for placeholders."""
    return sorted({paper for note in notes for paper in note.papers if paper.startswith("arxiv:")})
