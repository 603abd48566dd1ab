"""Reading items back as kb.models.Item: by id, by filter, or all of them in batches."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, Table, and_, exists, func, select

from kb.models import Author, Item, ItemFilter, Kind, Status, normalise_tags

from . import reads
from .convert import as_utc, chunks, coerce_kind, coerce_status, load_list
from .db import driver
from .tables import DATED, ITEM, ITEM_AUTHOR, ITEM_CATEGORY, ITEM_SOURCE, ITEM_TAG, PAPER_VERSION, TRIAGE

_ITEM_COLUMNS = [
    c for c in ITEM.c if c.name not in ("first_seen", "changed_at", "announce_type", "guid", "has_metadata")
]
# Item.dated in SQL: published, else the announcement (updated), else first seen. The expression is the one
# the index ix_item_dated holds (migration 0004), so a page of the newest items never sorts the whole table.
_ORDER = (
    DATED.desc(),
    ITEM.c.first_seen.desc(),
    ITEM.c.id,
)


def load_items(conn: Connection, ids: Sequence[str]) -> dict[str, Item]:
    """The stored items among ``ids``, keyed by id, with authors, categories, sources and tags."""
    items: dict[str, Item] = {}
    for part in chunks(list(dict.fromkeys(ids))):
        items.update(_load_chunk(conn, part))
    return items


def post_ids_by_url(conn: Connection, urls: Sequence[str]) -> dict[str, str]:
    """The stored posts among ``urls`` (exact stored URLs), as url -> post id."""
    found: dict[str, str] = {}
    for part in chunks(list(dict.fromkeys(urls))):
        statement = select(ITEM.c.url, ITEM.c.id).where(ITEM.c.kind == Kind.POST.value, ITEM.c.url.in_(part))
        found.update({row.url: row.id for row in conn.execute(statement)})
    return found


def _load_chunk(conn: Connection, ids: Sequence[str]) -> dict[str, Item]:
    statement = (
        select(*_ITEM_COLUMNS, ITEM.c.first_seen, ITEM.c.has_metadata, TRIAGE)
        .join(TRIAGE, TRIAGE.c.item_id == ITEM.c.id)
        .where(ITEM.c.id.in_(ids))
    )
    rows = conn.execute(statement).mappings().all()
    if not rows:
        return {}
    authors = _grouped(conn, ITEM_AUTHOR, ids, "position")
    categories = _grouped(conn, ITEM_CATEGORY, ids, "position")
    sources = _grouped(conn, ITEM_SOURCE, ids, "first_seen", "source")
    tags = _grouped(conn, ITEM_TAG, ids, "tag")
    return {
        row["id"]: _item(
            row,
            authors=tuple(Author(a["name"], load_list(a["affiliations"])) for a in authors[row["id"]]),
            categories=tuple(c["category"] for c in categories[row["id"]]),
            sources=tuple(s["source"] for s in sources[row["id"]]),
            tags=tuple(t["tag"] for t in tags[row["id"]]),
        )
        for row in rows
    }


def _grouped(conn: Connection, table: Table, ids: Sequence[str], *order: str) -> dict[str, list[Any]]:
    """Rows of a table hanging off items, grouped by item id, each group in ``order``."""
    groups: dict[str, list[Any]] = defaultdict(list)
    statement = select(table).where(table.c.item_id.in_(ids))
    for row in conn.execute(statement.order_by(table.c.item_id, *(table.c[o] for o in order))).mappings():
        groups[row["item_id"]].append(row)
    return groups


def _item(row: Any, **lists: Any) -> Item:
    return Item(
        id=row["id"],
        kind=Kind(row["kind"]),
        title=row["title"],
        summary=row["summary"],
        url=row["url"],
        published=row["published"],
        updated=row["updated"],
        version=row["version"],
        comment=row["comment"],
        journal_ref=row["journal_ref"],
        doi=row["doi"],
        pdf_url=row["pdf_url"],
        html=row["html"],
        feed=row["feed"],
        status=Status(row["status"]),
        starred=bool(row["starred"]),
        first_seen=row["first_seen"],
        status_changed=row["status_changed"],
        starred_changed=row["starred_changed"],
        tags_changed=row["tags_changed"],
        previous_version=row["previous_version"],
        has_metadata=bool(row["has_metadata"]),
        alert=row["alert"],
        **lists,
    )


def _filtered(statement: Select[Any], flt: ItemFilter) -> Select[Any]:
    """``flt`` as SQL conditions: ItemFilter.admits (kb.models) says what each one means."""
    conditions: list[Any] = []
    if flt.status is not None:
        conditions.append(TRIAGE.c.status == coerce_status(flt.status).value)
    if flt.starred is not None:
        conditions.append(TRIAGE.c.starred.is_(flt.starred))
    if flt.kind is not None:
        conditions.append(ITEM.c.kind == coerce_kind(flt.kind).value)
    if flt.since is not None:
        conditions.append(ITEM.c.first_seen >= as_utc(flt.since))
    if flt.source is not None:
        conditions.append(exists().where(and_(ITEM_SOURCE.c.item_id == ITEM.c.id, ITEM_SOURCE.c.source == flt.source)))
    if flt.tag is not None:
        tag = (normalise_tags([flt.tag]) or ("",))[0]
        conditions.append(exists().where(and_(ITEM_TAG.c.item_id == ITEM.c.id, ITEM_TAG.c.tag == tag)))
    if flt.ids is not None:
        conditions.append(ITEM.c.id.in_(flt.ids))
    joined = statement.select_from(ITEM.join(TRIAGE, TRIAGE.c.item_id == ITEM.c.id))
    return joined.where(*conditions) if conditions else joined


def list_items(conn: Connection, flt: ItemFilter) -> list[Item]:
    """Items matching ``flt``, newest first: Item.dated desc, then first seen desc, then id."""
    ids = listed_ids(conn, flt)
    items = load_items(conn, ids)
    return [items[i] for i in ids]


def count_items(conn: Connection, flt: ItemFilter) -> int:
    """How many items match ``flt`` (limit and offset ignored)."""
    return int(conn.execute(_filtered(select(func.count()), flt)).scalar_one())


def item_ids_after(conn: Connection, after: str | None, batch_size: int) -> list[str]:
    """The next ``batch_size`` item ids in id order after ``after`` (keyset paging, stable under writes)."""
    statement = select(ITEM.c.id).order_by(ITEM.c.id).limit(batch_size)
    if after is not None:
        statement = statement.where(ITEM.c.id > after)
    return list(conn.execute(statement).scalars())


def paper_versions(conn: Connection, item_id: str) -> list[tuple[int, datetime]]:
    """The versions of a paper kb has seen, oldest first, with when each was first seen."""
    statement = (
        select(PAPER_VERSION.c.version, PAPER_VERSION.c.first_seen)
        .where(PAPER_VERSION.c.item_id == item_id)
        .order_by(PAPER_VERSION.c.version)
    )
    return [(int(version), seen) for version, seen in conn.execute(statement)]


def all_tags(conn: Connection) -> list[tuple[str, int]]:
    """Every tag in use and how many items carry it, by tag."""
    statement = select(ITEM_TAG.c.tag, func.count()).group_by(ITEM_TAG.c.tag).order_by(ITEM_TAG.c.tag)
    return [(tag, int(count)) for tag, count in conn.execute(statement)]


def latest_judged_ids(conn: Connection, limit: int) -> list[str]:
    """Ids of the items the person judged last: the newest ``limit`` by each of the three triage moments.

    Read or skipped, and starred, each walk their own index (migration 0004) newest first, so a million
    triaged items cost ``limit`` index steps, not a scan; tagged items are found from item_tag (a few
    thousand rows, sorted). The union holds the newest ``limit`` items by their latest moment, whichever of
    the three it is. A judgement without a recorded moment (NULL sorts last) comes after every dated one.
    """
    limit = max(limit, 0)
    status = (
        select(TRIAGE.c.item_id)
        .where(TRIAGE.c.status != Status.NEW.value)
        .order_by(TRIAGE.c.status_changed.desc())
        .limit(limit)
    )
    starred = (
        select(TRIAGE.c.item_id)
        .where(TRIAGE.c.starred.is_(True))
        .order_by(TRIAGE.c.starred.desc(), TRIAGE.c.starred_changed.desc())
        .limit(limit)
    )
    tagged_ids = select(ITEM_TAG.c.item_id).distinct().subquery()
    tagged = (
        select(TRIAGE.c.item_id)
        .join(tagged_ids, tagged_ids.c.item_id == TRIAGE.c.item_id)
        .order_by(TRIAGE.c.tags_changed.desc())
        .limit(limit)
    )
    found: dict[str, None] = {}
    for statement in (status, starred, tagged):
        found.update(dict.fromkeys(conn.execute(statement).scalars()))
    return list(found)


def triage_keys(conn: Connection, ids: Sequence[str]) -> list[tuple[str, ...]]:
    """For each stored item among ``ids``: what a judgement of it depends on, as text, no item built.

    The id, version, dates of its content (``updated``, ``changed_at``: any new metadata moves them), whether
    it has metadata, its triage (status, star, their moments) and how many tags it has. The for-you ranking's
    cache fingerprints these (kb.library.ranking.cache): a million-item history costs a narrow indexed read.
    """
    # One text column per row, joined in SQL: at ten thousand rows the per-column conversions cost more than
    # the query.
    tags = select(func.count()).where(ITEM_TAG.c.item_id == ITEM.c.id).scalar_subquery()
    columns = [
        ITEM.c.version,
        ITEM.c.updated,
        ITEM.c.changed_at,
        ITEM.c.has_metadata,
        TRIAGE.c.status,
        TRIAGE.c.starred,
        TRIAGE.c.status_changed,
        TRIAGE.c.starred_changed,
        TRIAGE.c.tags_changed,
        tags,
    ]
    joined: Any = ITEM.c.id
    for column in columns:
        joined = joined.concat("\t").concat(func.ifnull(column, ""))
    rows: list[tuple[str, ...]] = []
    for part in chunks(list(dict.fromkeys(ids))):
        statement = select(joined).join(TRIAGE, TRIAGE.c.item_id == ITEM.c.id).where(ITEM.c.id.in_(part))
        rows.extend(tuple(text.split("\t")) for text in conn.execute(statement).scalars())
    return rows


def status_counts(conn: Connection) -> dict[Kind, dict[Status, int]]:
    """How many papers and posts there are in each triage status (kb.store.reads.status_counts)."""
    return reads.status_counts(driver(conn))


def listed_ids(conn: Connection, flt: ItemFilter) -> list[str]:
    """The ids ``list_items`` would return, in its order, without loading the items (for paging through them)."""
    statement = _filtered(select(ITEM.c.id), flt).order_by(*_ORDER)
    if flt.limit is not None or flt.offset:
        statement = statement.limit(-1 if flt.limit is None else max(flt.limit, 0)).offset(max(flt.offset, 0))
    return list(conn.execute(statement).scalars())


def new_by_source(conn: Connection) -> dict[str, int]:
    """How many items each source brought that are still new: one GROUP BY over the new items' sources.

    CROSS JOIN fixes the order (SQLite never reorders one): the new items from triage, each one's sources from
    item_source's primary key (item, source). Left to itself the planner walks item_source by source to save
    the GROUP BY's sort and looks every row up in triage: 19-22 s at a million items and 10,000 sources, where
    this order takes 0.3 s with 50,000 of them new and 0.8 s with half of them new (a loaded 2-core machine).
    """
    rows = conn.exec_driver_sql(
        "SELECT s.source, count(*) FROM triage AS t CROSS JOIN item_source AS s ON s.item_id = t.item_id "
        "WHERE t.status = ? GROUP BY s.source",
        (Status.NEW.value,),
    )
    return {str(source): int(count) for source, count in rows}
