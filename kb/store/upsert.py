"""Storing a batch of fetched items: one read of what is stored, then bulk Core statements.

Fetch batches go through ``conn.execute(insert(table), list_of_dicts)``, never ORM objects: the ORM unit of
work is several times slower for thousands of rows (see benchmarks/ingest.py). What changed is queued for the
search index in the same transaction (kb.store.pending), with executemany as well.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kb.errors import UsageError
from kb.models import FetchedItem, Kind, Status, UpsertReport, parse_arxiv_id

from . import pending
from .convert import chunks, dump_list
from .merge import Change, Decision, Stored, decide
from .tables import ITEM, ITEM_AUTHOR, ITEM_CATEGORY, ITEM_SOURCE, PAPER_VERSION, TRIAGE


def upsert_items(
    conn: Connection, items: Sequence[FetchedItem], source: str, now: datetime, new_status: Status = Status.NEW
) -> UpsertReport:
    """Store ``items`` seen in ``source`` (see kb.store.merge for the rules).

    Items kb did not have start with ``new_status`` (a backfill files history as skipped, with no time of
    change: nobody triaged it); items already stored, placeholders included, keep their triage.
    """
    if not source.strip():
        raise UsageError("cannot store items without the name of the source they came from")
    batch = _one_per_id(items)
    if not batch:
        return UpsertReport()
    stored = _load_stored(conn, list(batch))
    decisions = {item_id: decide(stored.get(item_id), item, now) for item_id, item in batch.items()}
    _write_new(conn, batch, decisions, now, new_status)
    _write_updates(conn, batch, decisions, now)
    newly_sourced = _touch_sources(conn, list(batch), source, now)
    new = tuple(i for i, d in decisions.items() if d.change in (Change.NEW, Change.FILL))
    updated = tuple(i for i, d in decisions.items() if d.change is Change.UPDATE)
    # The index hears of everything it holds that changed, in this transaction: an item's text, its sources,
    # and the linked titles of the notes that link it.
    pending.enqueue(conn, [*new, *updated, *newly_sourced])
    pending.enqueue_notes_linking(conn, [*new, *updated])
    return UpsertReport(new=new, updated=updated, unchanged=len(batch) - len(new) - len(updated))


def _one_per_id(items: Sequence[FetchedItem]) -> dict[str, FetchedItem]:
    """One item per id, the highest version winning (overlapping pages repeat papers), in input order."""
    batch: dict[str, FetchedItem] = {}
    for item in items:
        _check(item)
        kept = batch.get(item.id)
        if kept is None or (item.version or 0) > (kept.version or 0):
            batch[item.id] = item
    return batch


def _check(item: FetchedItem) -> None:
    if item.kind is Kind.NOTE:
        raise UsageError(f"{item.id}: notes are not stored as items", hint="notes live in notes/")
    if item.kind is Kind.PAPER:
        parsed = parse_arxiv_id(item.id)
        if parsed is None or parsed.key != item.id:
            raise UsageError(f"{item.id!r} is not a paper id", hint="paper ids look like arxiv:1706.03762")
    if item.kind is Kind.POST and not item.id.startswith("post:"):
        raise UsageError(f"{item.id!r} is not a post id", hint="post ids come from kb.models.post_id")


def _load_stored(conn: Connection, ids: list[str]) -> dict[str, Stored]:
    columns = [ITEM.c[name] for name in Stored.__dataclass_fields__]
    stored: dict[str, Stored] = {}
    for part in chunks(ids):
        for row in conn.execute(select(*columns).where(ITEM.c.id.in_(part))):
            stored[row.id] = Stored(*row)
    return stored


def _write_new(
    conn: Connection, batch: dict[str, FetchedItem], decisions: dict[str, Decision], now: datetime, status: Status
) -> None:
    rows = [d.row for d in decisions.values() if d.change is Change.NEW and d.row is not None]
    if not rows:
        return
    conn.execute(insert(ITEM), rows)
    triage = [{"item_id": row["id"], "status": status.value, "starred": False} for row in rows]
    conn.execute(insert(TRIAGE), triage)
    new_items = [batch[row["id"]] for row in rows]
    _insert_lists(conn, new_items, new_items)
    _insert_versions(conn, [(i.id, i.version) for i in new_items if i.version is not None], now)


def _write_updates(
    conn: Connection, batch: dict[str, FetchedItem], decisions: dict[str, Decision], now: datetime
) -> None:
    changes = [d for d in decisions.values() if d.change in (Change.FILL, Change.UPDATE) and d.row]
    # One executemany per set of columns: a same-version update writes a few columns, a new version all.
    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for decision in changes:
        assert decision.row is not None
        by_columns[tuple(sorted(decision.row))].append(decision.row)
    for columns, rows in by_columns.items():
        values: dict[str, Any] = {name: bindparam(f"v_{name}") for name in columns if name != "id"}
        statement = update(ITEM).where(ITEM.c.id == bindparam("v_id")).values(values)
        conn.execute(statement, [{f"v_{k}": v for k, v in row.items()} for row in rows])
    relisted = [batch[d.row["id"]] for d in changes if d.replace_lists and d.row is not None]
    with_authors = [item for item in relisted if item.authors]
    with_categories = [item for item in relisted if item.categories]
    _delete_lists(conn, [i.id for i in with_authors], [i.id for i in with_categories])
    _insert_lists(conn, with_authors, with_categories)
    versions = [(d.row["id"], d.new_version) for d in changes if d.row and d.new_version is not None]
    _insert_versions(conn, versions, now)


def _delete_lists(conn: Connection, author_ids: list[str], category_ids: list[str]) -> None:
    for part in chunks(author_ids):
        conn.execute(delete(ITEM_AUTHOR).where(ITEM_AUTHOR.c.item_id.in_(part)))
    for part in chunks(category_ids):
        conn.execute(delete(ITEM_CATEGORY).where(ITEM_CATEGORY.c.item_id.in_(part)))


def _insert_lists(
    conn: Connection, with_authors: Sequence[FetchedItem], with_categories: Sequence[FetchedItem]
) -> None:
    authors = [
        {"item_id": item.id, "position": n, "name": a.name, "affiliations": dump_list(a.affiliations)}
        for item in with_authors
        for n, a in enumerate(item.authors)
    ]
    if authors:
        conn.execute(insert(ITEM_AUTHOR), authors)
    categories = [
        {"item_id": item.id, "position": n, "category": category}
        for item in with_categories
        for n, category in enumerate(item.categories)
    ]
    if categories:
        conn.execute(insert(ITEM_CATEGORY), categories)


def _insert_versions(conn: Connection, versions: list[tuple[str, int]], now: datetime) -> None:
    if versions:
        rows = [{"item_id": item_id, "version": v, "first_seen": now} for item_id, v in versions]
        # A version seen before keeps its first-seen time.
        conn.execute(insert(PAPER_VERSION).prefix_with("OR IGNORE"), rows)


def _touch_sources(conn: Connection, ids: list[str], source: str, now: datetime) -> list[str]:
    """Record that ``ids`` were seen in ``source`` now; returns the ids seen there for the first time."""
    if not ids:
        return []
    known: set[str] = set()
    for part in chunks(ids):
        where = ITEM_SOURCE.c.item_id.in_(part) & (ITEM_SOURCE.c.source == source)
        known.update(conn.execute(select(ITEM_SOURCE.c.item_id).where(where)).scalars())
    statement = sqlite_insert(ITEM_SOURCE)
    statement = statement.on_conflict_do_update(
        index_elements=[ITEM_SOURCE.c.item_id, ITEM_SOURCE.c.source],
        set_={"last_seen": statement.excluded.last_seen},
    )
    rows = [{"item_id": i, "source": source, "first_seen": now, "last_seen": now} for i in ids]
    conn.execute(statement, rows)
    return [item_id for item_id in ids if item_id not in known]


def ensure_papers(conn: Connection, ids: Sequence[str], now: datetime) -> list[str]:
    """Placeholder rows (no metadata, empty title) for paper ids not stored; returns the ids created."""
    wanted: dict[str, None] = {}
    for text in ids:
        parsed = parse_arxiv_id(text)
        if parsed is None:
            raise UsageError(f"{text!r} is not an arXiv id", hint="ids look like arxiv:1706.03762")
        wanted[parsed.key] = None
    present: set[str] = set()
    for part in chunks(list(wanted)):
        present.update(conn.execute(select(ITEM.c.id).where(ITEM.c.id.in_(part))).scalars())
    created = [item_id for item_id in wanted if item_id not in present]
    if created:
        conn.execute(insert(ITEM), [_placeholder(item_id, now) for item_id in created])
        triage = [{"item_id": i, "status": Status.NEW.value, "starred": False} for i in created]
        conn.execute(insert(TRIAGE), triage)
        pending.enqueue(conn, created)
    return created


def _placeholder(item_id: str, now: datetime) -> dict[str, Any]:
    bare = item_id.removeprefix("arxiv:")
    return {
        "id": item_id,
        "kind": Kind.PAPER.value,
        "title": "",
        "summary": "",
        "url": f"https://arxiv.org/abs/{bare}",
        "has_metadata": False,
        "first_seen": now,
        "changed_at": now,
    }


def papers_without_metadata(conn: Connection) -> list[str]:
    """Ids of placeholder papers, oldest first."""
    statement = select(ITEM.c.id).where(ITEM.c.has_metadata.is_(False)).order_by(ITEM.c.first_seen, ITEM.c.id)
    return list(conn.execute(statement).scalars())
