"""The store's reads that `kb status` and `kb search` need, written once in plain SQL over a ``sqlite3`` connection.

Two callers run these same functions, so the two paths cannot drift apart:
- the Store (kb.store.store and the modules under it), on the driver connection of its SQLAlchemy transaction
  (``kb.store.db.driver``);
- kb.store.peek, a read-only connection that needs neither SQLAlchemy nor SQLModel (importing them is most of
  the start of a short command: 0.4 s of `kb status`'s 0.7 s at a million papers).

Times are stored as UTC text (``2026-01-02 03:04:05.000006``) and come back as aware UTC datetimes, as the
Store's columns give them; days as ``2026-01-02``.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime

from kb.models import FeedState, FetchRunSummary, Kind, Note, SourceLogEntry, Status

from .convert import chunks, load_list


def moment(text: str | None) -> datetime | None:
    """A stored time as an aware UTC datetime (None stays None)."""
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join("?" * len(values))


# --- schema and the index queue ---------------------------------------------------------------------


def applied_migrations(db: sqlite3.Connection) -> list[str]:
    """Names of the migrations applied to this database, in the order they were applied."""
    return [row[0] for row in db.execute("SELECT name FROM migration ORDER BY applied_at, rowid")]


def pending_count(db: sqlite3.Connection) -> int:
    """How many changes wait in the index queue (kb.store.pending)."""
    return int(db.execute("SELECT count(*) FROM index_pending").fetchone()[0])


# --- counts -------------------------------------------------------------------------------------------


def status_counts(db: sqlite3.Connection) -> dict[Kind, dict[Status, int]]:
    """How many papers and posts there are in each triage status, from two indexed GROUP BY counts.

    All items by status walks the covering ix_triage_status; posts (few) are counted through ix_item_kind;
    papers are the difference (items are papers or posts: notes are not stored as items).
    """
    every = {Status(s): int(n) for s, n in db.execute("SELECT status, count(*) FROM triage GROUP BY status")}
    posts_sql = (
        "SELECT triage.status, count(*) FROM item JOIN triage ON triage.item_id = item.id "
        "WHERE item.kind = ? GROUP BY triage.status"
    )
    posts = {Status(s): int(n) for s, n in db.execute(posts_sql, (Kind.POST.value,))}
    return {
        Kind.PAPER: {status: every.get(status, 0) - posts.get(status, 0) for status in Status},
        Kind.POST: {status: posts.get(status, 0) for status in Status},
    }


def fulltext_usage(db: sqlite3.Connection) -> tuple[int, int]:
    """How many full texts the store holds and their stored (compressed) size in bytes."""
    count, size = db.execute("SELECT count(*), coalesce(sum(stored_bytes), 0) FROM fulltext").fetchone()
    return int(count), int(size)


def author_names(db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The authors' names of the stored items among ``ids``, in order (an item without authors is left out)."""
    found: dict[str, list[str]] = defaultdict(list)
    for part in chunks(list(dict.fromkeys(ids))):
        sql = (
            f"SELECT item_id, name FROM item_author WHERE item_id IN ({_placeholders(part)}) ORDER BY item_id, position"
        )
        for item_id, name in db.execute(sql, tuple(part)):
            found[item_id].append(name)
    return {item_id: tuple(names) for item_id, names in found.items()}


# --- the fetch log and the sources' state -------------------------------------------------------------


def recent_runs(db: sqlite3.Connection, limit: int, run_id: int | None = None) -> list[FetchRunSummary]:
    """The latest runs (or run ``run_id``), newest first, with their totals and failed sources."""
    where = "WHERE r.id = ? " if run_id is not None else ""
    sql = (
        "SELECT r.id, r.started, r.finished, coalesce(sum(l.items_new), 0), coalesce(sum(l.items_updated), 0), "
        "group_concat(CASE WHEN l.ok IS 0 THEN l.id END) "
        f"FROM fetch_run AS r LEFT OUTER JOIN source_log AS l ON l.run_id = r.id {where}"
        "GROUP BY r.id ORDER BY r.id DESC LIMIT ?"
    )
    params: tuple[int, ...] = (run_id, max(limit, 0)) if run_id is not None else (max(limit, 0),)
    runs = []
    for rid, started, finished, new, updated, failed_log_ids in db.execute(sql, params).fetchall():
        runs.append(
            FetchRunSummary(
                run_id=rid,
                started=moment(started),  # type: ignore[arg-type]  # NOT NULL in the schema
                finished=moment(finished),
                new=int(new),
                updated=int(updated),
                failed_sources=_failed_sources(db, failed_log_ids),
            )
        )
    return runs


def _failed_sources(db: sqlite3.Connection, log_ids: str | None) -> tuple[str, ...]:
    # Looked up by log id rather than concatenated: a source name may hold the separator.
    if not log_ids:
        return ()
    ids = [int(i) for i in log_ids.split(",")]
    sql = f"SELECT source FROM source_log WHERE id IN ({_placeholders(ids)}) ORDER BY id"
    return tuple(dict.fromkeys(row[0] for row in db.execute(sql, ids)))


_LOG_COLUMNS = (
    "run_id, source, kind, at, http_status, ok, complete, not_modified, items_new, items_updated, "
    "items_unchanged, error, duration, url"
)


def source_log(db: sqlite3.Connection, source: str | None, limit: int) -> list[SourceLogEntry]:
    """Log entries, newest first, for one source or all."""
    if source is None:
        rows = db.execute(f"SELECT {_LOG_COLUMNS} FROM source_log ORDER BY id DESC LIMIT ?", (max(limit, 0),))
    else:
        sql = f"SELECT {_LOG_COLUMNS} FROM source_log WHERE source = ? ORDER BY id DESC LIMIT ?"
        rows = db.execute(sql, (source, max(limit, 0)))
    return [_log_entry(row) for row in rows]


def latest_source_logs(db: sqlite3.Connection) -> dict[str, SourceLogEntry]:
    """Each source's newest log entry, in one query (`kb status` at 10,000 feeds asked once per source)."""
    sql = (
        f"SELECT {_LOG_COLUMNS} FROM source_log "
        "WHERE id IN (SELECT max(id) FROM source_log GROUP BY source)"  # ix_source_log_source
    )
    return {entry.source: entry for entry in map(_log_entry, db.execute(sql))}


def _log_entry(row: tuple[object, ...]) -> SourceLogEntry:
    run_id, source, kind, at, http_status, ok, complete, not_modified, new, updated, unchanged, error, duration, url = (
        row
    )
    return SourceLogEntry(
        run_id=run_id,  # type: ignore[arg-type]
        source=str(source),
        kind=str(kind),
        when=moment(at),  # type: ignore[arg-type]  # NOT NULL in the schema
        http_status=http_status,  # type: ignore[arg-type]
        ok=bool(ok),
        complete=bool(complete),
        not_modified=bool(not_modified),
        new=new,  # type: ignore[arg-type]
        updated=updated,  # type: ignore[arg-type]
        unchanged=unchanged,  # type: ignore[arg-type]
        error=error,  # type: ignore[arg-type]
        duration=duration,  # type: ignore[arg-type]
        url=url,  # type: ignore[arg-type]
    )


def feed_states(db: sqlite3.Connection) -> dict[str, FeedState]:
    """Every source's remembered state, by source name."""
    sql = "SELECT source, etag, last_modified, last_success, newest_seen, failures FROM source_state ORDER BY source"
    return {
        source: FeedState(
            source=source,
            etag=etag,
            last_modified=last_modified,
            last_success=moment(last_success),
            newest_seen=moment(newest_seen),
            failures=failures,
        )
        for source, etag, last_modified, last_success, newest_seen, failures in db.execute(sql)
    }


# --- announcement days and repaired gaps (kb.library.sources.gaps) ------------------------------------


def announcement_days(db: sqlite3.Connection, since: date) -> dict[str, dict[date, int]]:
    """Paper counts by category and day, for days on or after ``since``."""
    days: dict[str, dict[date, int]] = {}
    sql = "SELECT category, day, items FROM announcement_day WHERE day >= ?"
    for category, day, items in db.execute(sql, (since.isoformat(),)):
        days.setdefault(category, {})[date.fromisoformat(day)] = int(items)
    return days


def first_announcement_days(db: sqlite3.Connection) -> dict[str, date]:
    """The first day recorded for each category: kb cannot have missed anything before it."""
    sql = "SELECT category, min(day) FROM announcement_day GROUP BY category"
    return {category: date.fromisoformat(day) for category, day in db.execute(sql)}


def repaired(db: sqlite3.Connection, keys: Sequence[str]) -> dict[str, datetime]:
    """When each of ``keys`` was repaired, for those that were."""
    found: dict[str, datetime] = {}
    for part in chunks(list(dict.fromkeys(keys))):
        sql = f"SELECT key, repaired_at FROM gap_repair WHERE key IN ({_placeholders(part)})"
        found.update({key: moment(at) for key, at in db.execute(sql, tuple(part))})
    return found


# --- the note cache -----------------------------------------------------------------------------------


def note_records(db: sqlite3.Connection, paths: Sequence[str] | None = None) -> dict[str, Note]:
    """Cached notes by path (all of them, or those among ``paths``), bodies empty."""
    notes_sql = "SELECT path, title, tags, note_links, created, front_matter_error, mtime_ns, size FROM note"
    links_sql = "SELECT path, paper_id FROM note_paper"
    params: tuple[str, ...] = ()
    if paths is not None:
        params = tuple(paths)
        notes_sql += f" WHERE path IN ({_placeholders(params)})"
        links_sql += f" WHERE path IN ({_placeholders(params)})"
    papers: dict[str, list[str]] = defaultdict(list)
    for path, paper_id in db.execute(links_sql + " ORDER BY path, position", params):
        papers[path].append(paper_id)
    return {
        path: Note(
            path=path,
            title=title,
            body="",
            tags=load_list(tags),
            papers=tuple(papers[path]),
            note_links=load_list(note_links),
            created=created,
            front_matter_error=front_matter_error,
            mtime_ns=mtime_ns,
            size=size,
        )
        for path, title, tags, note_links, created, front_matter_error, mtime_ns, size in db.execute(
            notes_sql + " ORDER BY path", params
        )
    }
