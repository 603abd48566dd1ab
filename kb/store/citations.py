"""Citation links from Semantic Scholar: each kept paper's references and citing papers, and when they came.

``citation_link`` holds one row per link of a paper's two lists, in the order S2 gave them, with what S2 said
of the paper at the other end (arXiv id as a kb id when it has one, DOI, S2 paperId, title, year);
``citation_fetch`` holds when each paper's lists were fetched and how that went. A paper's lists are replaced
whole, together with its fetch row, in one transaction (``save``): a process killed mid-way leaves the old
lists or the new ones, never a mix, and never a fetch row that disagrees with its links.

A link joins two papers of the workspace when the other end's arXiv id is an item's id. Both lists say
who cites whom: "A cites B" is known from A's references or from B's citations, and the reads below look in
both. Migration 0009 builds the tables; a test checks that they and the models agree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Index, delete, insert, or_, select, union
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, SQLModel

from kb.models import CitationLists, Kind, LinkDirection, LinkedPaper, Status

from . import pending
from .convert import chunks
from .tables import ITEM, ITEM_SOURCE, ITEM_TAG, NOTE_PAPER, TRIAGE

REFERENCES = LinkDirection.REFERENCES.value
CITATIONS = LinkDirection.CITATIONS.value


class CitationLinkRow(SQLModel, table=True):
    """One link of a paper's references (it cites ``other``) or citations (``other`` cites it)."""

    __tablename__ = "citation_link"
    __table_args__ = (Index("ix_citation_link_arxiv", "arxiv_id", "direction"),)

    paper_id: str = Field(primary_key=True)
    direction: str = Field(primary_key=True)
    position: int = Field(primary_key=True)
    arxiv_id: str | None = None
    doi: str | None = None
    s2_id: str | None = None
    title: str
    year: int | None = None


class CitationFetchRow(SQLModel, table=True):
    """When a paper's lists were last fetched, how many links each has, and what went wrong if anything did."""

    __tablename__ = "citation_fetch"

    paper_id: str = Field(primary_key=True)
    fetched_at: datetime
    references: int
    citations: int
    complete: bool
    not_found: bool
    error: str | None = None


LINK = SQLModel.metadata.tables["citation_link"]
FETCH = SQLModel.metadata.tables["citation_fetch"]

_DDL = [
    """
    CREATE TABLE citation_link (
        paper_id VARCHAR NOT NULL,
        direction VARCHAR NOT NULL,
        position INTEGER NOT NULL,
        arxiv_id VARCHAR,
        doi VARCHAR,
        s2_id VARCHAR,
        title VARCHAR NOT NULL,
        year INTEGER,
        PRIMARY KEY (paper_id, direction, position)
    )
    """,
    "CREATE INDEX ix_citation_link_arxiv ON citation_link (arxiv_id, direction)",
    """
    CREATE TABLE citation_fetch (
        paper_id VARCHAR NOT NULL,
        fetched_at DATETIME NOT NULL,
        "references" INTEGER NOT NULL,
        citations INTEGER NOT NULL,
        complete BOOLEAN NOT NULL,
        not_found BOOLEAN NOT NULL,
        error VARCHAR,
        PRIMARY KEY (paper_id)
    )
    """,
]


def create_tables(conn: Connection) -> None:
    """The migration's work (kb.store.migrations)."""
    for statement in _DDL:
        conn.exec_driver_sql(statement)


def save(conn: Connection, lists: CitationLists, now: datetime) -> None:
    """Replace a paper's lists and its fetch row (one transaction: the caller's).

    A failed fetch that is not a "not found" keeps the lists it had: only the error is recorded, and the
    paper stays due so the next run tries again.
    """
    paper = lists.paper_id
    if lists.error is not None and not lists.not_found:
        previous = conn.execute(select(FETCH.c.paper_id).where(FETCH.c.paper_id == paper)).first()
        if previous is not None:
            conn.execute(FETCH.update().where(FETCH.c.paper_id == paper).values(error=lists.error))
        return
    conn.execute(delete(LINK).where(LINK.c.paper_id == paper))
    rows = [
        _row(paper, direction, position, linked)
        for direction, papers in ((REFERENCES, lists.references), (CITATIONS, lists.citations))
        for position, linked in enumerate(papers)
    ]
    if rows:
        conn.execute(insert(LINK), rows)
    values = {
        "paper_id": paper,
        "fetched_at": now,
        "references": len(lists.references),
        "citations": len(lists.citations),
        "complete": lists.complete,
        "not_found": lists.not_found,
        "error": lists.error,
    }
    statement = sqlite_insert(FETCH).values(values)
    changing = {name: statement.excluded[name] for name in values if name != "paper_id"}
    conn.execute(statement.on_conflict_do_update(index_elements=[FETCH.c.paper_id], set_=changing))


def _row(paper: str, direction: str, position: int, linked: LinkedPaper) -> dict[str, Any]:
    return {
        "paper_id": paper,
        "direction": direction,
        "position": position,
        "arxiv_id": linked.arxiv_id,
        "doi": linked.doi,
        "s2_id": linked.s2_id,
        "title": linked.title,
        "year": linked.year,
    }


def load(conn: Connection, paper: str) -> CitationLists | None:
    """A paper's lists as stored, or None when they were never fetched."""
    fetched = conn.execute(select(FETCH).where(FETCH.c.paper_id == paper)).mappings().first()
    if fetched is None:
        return None
    found: dict[str, list[LinkedPaper]] = {REFERENCES: [], CITATIONS: []}
    rows = conn.execute(select(LINK).where(LINK.c.paper_id == paper).order_by(LINK.c.direction, LINK.c.position))
    for row in rows.mappings():
        found[row["direction"]].append(
            LinkedPaper(row["title"], row["arxiv_id"], row["doi"], row["s2_id"], row["year"])
        )
    return CitationLists(
        paper,
        tuple(found[REFERENCES]),
        tuple(found[CITATIONS]),
        complete=bool(fetched["complete"]),
        not_found=bool(fetched["not_found"]),
        error=fetched["error"],
        fetched_at=fetched["fetched_at"],
    )


def due(conn: Connection, before: datetime, limit: int) -> list[str]:
    """Kept papers (starred, tagged, linked from a note) whose lists were never fetched or fetched before
    ``before``: the never fetched first, then the stalest."""
    kept = union(
        select(TRIAGE.c.item_id.label("id")).where(TRIAGE.c.starred.is_(True)),
        select(ITEM_TAG.c.item_id.label("id")),
        select(NOTE_PAPER.c.paper_id.label("id")),
    ).subquery()
    statement = (
        select(kept.c.id)
        .join(ITEM, ITEM.c.id == kept.c.id)
        .outerjoin(FETCH, FETCH.c.paper_id == kept.c.id)
        .where(ITEM.c.kind == Kind.PAPER.value)
        .where(or_(FETCH.c.paper_id.is_(None), FETCH.c.fetched_at < before))
        .order_by(FETCH.c.paper_id.is_not(None), FETCH.c.fetched_at, kept.c.id)
        .limit(max(limit, 0))
    )
    return list(conn.execute(statement).scalars())


def fetched_at(conn: Connection, papers: Sequence[str]) -> dict[str, datetime]:
    """When each of these papers' lists were fetched (papers never fetched are left out)."""
    found: dict[str, datetime] = {}
    for part in chunks(list(papers)):
        rows = conn.execute(select(FETCH.c.paper_id, FETCH.c.fetched_at).where(FETCH.c.paper_id.in_(part)))
        found.update({paper: at for paper, at in rows})
    return found


def citing(conn: Connection, paper: str) -> set[str]:
    """The items of the workspace that cite ``paper``: from its citations and from their references."""
    from_its_list = select(LINK.c.arxiv_id).where(LINK.c.paper_id == paper, LINK.c.direction == CITATIONS)
    from_theirs = select(LINK.c.paper_id).where(LINK.c.arxiv_id == paper, LINK.c.direction == REFERENCES)
    return _in_workspace(conn, [*conn.execute(from_its_list).scalars(), *conn.execute(from_theirs).scalars()])


def cited(conn: Connection, paper: str) -> set[str]:
    """The items of the workspace that ``paper`` cites: from its references and from their citations."""
    from_its_list = select(LINK.c.arxiv_id).where(LINK.c.paper_id == paper, LINK.c.direction == REFERENCES)
    from_theirs = select(LINK.c.paper_id).where(LINK.c.arxiv_id == paper, LINK.c.direction == CITATIONS)
    return _in_workspace(conn, [*conn.execute(from_its_list).scalars(), *conn.execute(from_theirs).scalars()])


def in_workspace(conn: Connection, ids: Iterable[str | None]) -> set[str]:
    """Those of ``ids`` that are items of the workspace."""
    return _in_workspace(conn, ids)


def _in_workspace(conn: Connection, ids: Iterable[str | None]) -> set[str]:
    wanted = sorted({i for i in ids if i})
    found: set[str] = set()
    for part in chunks(wanted):
        found.update(conn.execute(select(ITEM.c.id).where(ITEM.c.id.in_(part))).scalars())
    return found


def citing_starred(conn: Connection) -> dict[str, set[str]]:
    """Every item of the workspace that cites a starred paper -> the starred papers it cites."""
    starred = select(TRIAGE.c.item_id).where(TRIAGE.c.starred.is_(True))
    found: dict[str, set[str]] = defaultdict(set)
    by_their_lists = select(LINK.c.arxiv_id, LINK.c.paper_id).where(
        LINK.c.direction == CITATIONS, LINK.c.paper_id.in_(starred), LINK.c.arxiv_id.is_not(None)
    )
    by_our_lists = select(LINK.c.paper_id, LINK.c.arxiv_id).where(
        LINK.c.direction == REFERENCES, LINK.c.arxiv_id.in_(starred)
    )
    for citer, cited_paper in [*conn.execute(by_their_lists), *conn.execute(by_our_lists)]:
        if citer != cited_paper:
            found[citer].add(cited_paper)
    present = _in_workspace(conn, found)
    return {citer: papers for citer, papers in found.items() if citer in present}


def mark_source(conn: Connection, source: str, now: datetime) -> list[str]:
    """File the new items that cite a starred paper under ``source`` too (their index documents queued).

    Returns the items newly filed. Items already under it, and items the person has triaged, are left alone.
    """
    citers = citing_starred(conn)
    fresh: list[str] = []
    for part in chunks(sorted(citers)):
        new = select(TRIAGE.c.item_id).where(TRIAGE.c.item_id.in_(part), TRIAGE.c.status == Status.NEW.value)
        already = select(ITEM_SOURCE.c.item_id).where(ITEM_SOURCE.c.item_id.in_(part), ITEM_SOURCE.c.source == source)
        fresh += sorted(set(conn.execute(new).scalars()) - set(conn.execute(already).scalars()))
    if fresh:
        rows = [{"item_id": item, "source": source, "first_seen": now, "last_seen": now} for item in fresh]
        conn.execute(insert(ITEM_SOURCE), rows)
        pending.enqueue(conn, fresh)
    return fresh
