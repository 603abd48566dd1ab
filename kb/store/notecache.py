"""The note metadata cache: what kb last parsed from each file under notes/, for backlinks.

notes/ on disk is the truth; this is a cache the notes layer refreshes (by path, mtime and size). Bodies are
not kept, so the Note objects handed back have an empty body.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Connection, delete, insert, select

from kb.models import Note, parse_arxiv_id

from .convert import chunks, dump_list, load_list
from .tables import NOTE, NOTE_PAPER


def paper_key(paper_id: str) -> str:
    """``paper_id`` as a versionless ``arxiv:`` key when it is an arXiv id, else unchanged."""
    parsed = parse_arxiv_id(paper_id)
    return parsed.key if parsed is not None else paper_id


def save_notes(conn: Connection, notes: Sequence[Note]) -> None:
    """Insert or replace the cached metadata of ``notes`` (the last one wins if a path repeats)."""
    latest = {note.path: note for note in notes}
    if not latest:
        return
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


def delete_notes(conn: Connection, paths: Sequence[str]) -> None:
    """Forget the cached metadata of ``paths`` (missing ones are ignored)."""
    _delete(conn, list(dict.fromkeys(paths)))


def _delete(conn: Connection, paths: list[str]) -> None:
    for part in chunks(paths):
        # note_paper rows go with them (ON DELETE CASCADE).
        conn.execute(delete(NOTE).where(NOTE.c.path.in_(part)))


def note_records(conn: Connection, paths: Sequence[str] | None = None) -> dict[str, Note]:
    """Cached notes by path (all of them, or those among ``paths``), bodies empty."""
    statement = select(NOTE).order_by(NOTE.c.path)
    links = select(NOTE_PAPER).order_by(NOTE_PAPER.c.path, NOTE_PAPER.c.position)
    if paths is not None:
        statement = statement.where(NOTE.c.path.in_(paths))
        links = links.where(NOTE_PAPER.c.path.in_(paths))
    papers: dict[str, list[str]] = defaultdict(list)
    for row in conn.execute(links):
        papers[row.path].append(row.paper_id)
    return {
        row.path: Note(
            path=row.path,
            title=row.title,
            body="",
            tags=load_list(row.tags),
            papers=tuple(papers[row.path]),
            note_links=load_list(row.note_links),
            created=row.created,
            front_matter_error=row.front_matter_error,
            mtime_ns=row.mtime_ns,
            size=row.size,
        )
        for row in conn.execute(statement)
    }


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
