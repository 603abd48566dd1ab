"""The note metadata cache: what kb last parsed from each file under notes/, for backlinks.

notes/ on disk is the truth; this is a cache the notes layer refreshes (by path, mtime and size). Bodies are
not kept, so the Note objects handed back have an empty body.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert, select

from kb.models import Note, note_id, parse_arxiv_id

from . import pending, reads
from .convert import chunks, dump_list
from .db import driver
from .tables import NOTE, NOTE_PAPER


def paper_key(paper_id: str) -> str:
    """``paper_id`` as a versionless ``arxiv:`` key when it is an arXiv id, else unchanged."""
    parsed = parse_arxiv_id(paper_id)
    return parsed.key if parsed is not None else paper_id


def save_notes(conn: Connection, notes: Sequence[Note]) -> None:
    """Insert or replace the cached metadata of ``notes`` (the last one wins if a path repeats).

    The notes, and the papers whose has_note flag this flips, are queued for the index in this transaction.
    """
    latest = {note.path: note for note in notes}
    if not latest:
        return
    linked = _linked(conn, list(latest)) | {paper_key(paper) for note in latest.values() for paper in note.papers}
    noted = _noted(conn, linked)
    _delete(conn, list(latest))
    rows = [
        {
            "path": note.path,
            "title": note.title,
            "tags": dump_list(note.tags),
            "note_links": dump_list(note.note_links),
            "created": note.created,
            "front_matter_error": note.front_matter_error,
            "mtime_ns": note.mtime_ns,
            "size": note.size,
        }
        for note in latest.values()
    ]
    conn.execute(insert(NOTE), rows)
    links = [
        {"path": note.path, "position": n, "paper_id": paper_key(paper)}
        for note in latest.values()
        for n, paper in enumerate(note.papers)
    ]
    if links:
        conn.execute(insert(NOTE_PAPER), links)
    pending.enqueue(conn, (note_id(path) for path in latest))
    pending.enqueue(conn, sorted(noted ^ _noted(conn, linked)))


def delete_notes(conn: Connection, paths: Sequence[str]) -> None:
    """Forget the cached metadata of ``paths`` (missing ones are ignored); the index is told in this transaction."""
    wanted = list(dict.fromkeys(paths))
    if not wanted:
        return
    linked = _linked(conn, wanted)
    noted = _noted(conn, linked)
    _delete(conn, wanted)
    pending.enqueue(conn, (note_id(path) for path in wanted), pending.DELETE)
    pending.enqueue(conn, sorted(noted ^ _noted(conn, linked)))


def _linked(conn: Connection, paths: list[str]) -> set[str]:
    """The papers the cached notes at ``paths`` link."""
    found: set[str] = set()
    for part in chunks(paths):
        found.update(conn.execute(select(NOTE_PAPER.c.paper_id).where(NOTE_PAPER.c.path.in_(part))).scalars())
    return found


def _noted(conn: Connection, papers: set[str]) -> set[str]:
    """Those of ``papers`` some cached note links (their has_note flag)."""
    found: set[str] = set()
    for part in chunks(sorted(papers)):
        statement = select(NOTE_PAPER.c.paper_id).where(NOTE_PAPER.c.paper_id.in_(part)).distinct()
        found.update(conn.execute(statement).scalars())
    return found


def _delete(conn: Connection, paths: list[str]) -> None:
    for part in chunks(paths):
        # note_paper rows go with them (ON DELETE CASCADE).
        conn.execute(delete(NOTE).where(NOTE.c.path.in_(part)))


def note_records(conn: Connection, paths: Sequence[str] | None = None) -> dict[str, Note]:
    """Cached notes by path (all of them, or those among ``paths``), bodies empty (kb.store.reads)."""
    return reads.note_records(driver(conn), paths)


def notes_linking(conn: Connection, paper_id: str) -> list[Note]:
    """Cached notes that link ``paper_id`` (any version of it), by path."""
    statement = select(NOTE_PAPER.c.path).where(NOTE_PAPER.c.paper_id == paper_key(paper_id)).distinct()
    paths = list(conn.execute(statement).scalars())
    found: dict[str, Note] = {}
    for part in chunks(paths):
        found.update(note_records(conn, part))
    return [found[path] for path in sorted(found)]


def papers_with_notes(conn: Connection) -> set[str]:
    """Ids of every paper some cached note links."""
    return set(conn.execute(select(NOTE_PAPER.c.paper_id).distinct()).scalars())
