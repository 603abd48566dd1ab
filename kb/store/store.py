"""Store: the record of everything fetched, the person's triage state, the fetch log and the note cache.

A thin facade: each method is one transaction (reads see one snapshot, writes are all or nothing and are
retried whole if another process holds the lock) over a function of the module that does the work.
Methods take and return kb.models objects only. ``now`` parameters default to the current time and exist so
tests and imports can say when something happened.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from sqlalchemy import Connection

from kb.errors import NotFound, StoreError
from kb.models import (
    CitationLists,
    FeedState,
    FetchedItem,
    FetchRunSummary,
    FullText,
    FullTextInfo,
    HarvestState,
    IndexBacklog,
    Item,
    ItemFilter,
    Kind,
    Note,
    SourceLogEntry,
    SourceResult,
    Status,
    TriageChange,
    UpsertReport,
)

from . import (
    alerts,
    citations,
    exchange,
    fetchlog,
    fulltext,
    fulltext_due,
    harvest,
    notecache,
    pending,
    queries,
    reads,
    triage,
    upsert,
)
from .convert import coerce_status, utc_now
from .db import DEFAULT_BUSY_TIMEOUT, Database, driver
from .exchange import TriageMerge, TriageRecord
from .migrations import applied, migrate

T = TypeVar("T")


class Store:
    """The SQLite store of one workspace. Open with ``Store.open(path)``; close it, or use ``with``."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @classmethod
    def open(cls, path: Path, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Store:
        """Open (creating if needed) the store at ``path``: WAL mode, migrations applied."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create {path.parent}: {error.strerror or error}") from error
        read_only = path.exists() and not os.access(path.parent, os.W_OK)  # a read-only mount, another's .kb/
        db = Database(path, busy_timeout, read_only=read_only)
        try:
            if not read_only:
                db.enable_wal()
                migrate(db)
        except BaseException:
            db.close()
            raise
        return cls(db)

    def checkpoint(self) -> bool:
        """Copy the WAL into the store file (checkpoint.py): after triage, so little is ever only in the -wal."""
        from kb.store.checkpoint import checkpoint

        return checkpoint(self._db)

    @property
    def path(self) -> Path:
        """The SQLite file."""
        return self._db.path

    def close(self) -> None:
        """Release the database connections."""
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def _read(self, work: Callable[[Connection], T]) -> T:
        return self._db.read(work)

    def _write(self, work: Callable[[Connection], T]) -> T:
        return self._db.write(work)

    # --- schema -------------------------------------------------------------------------------

    def schema_version(self) -> int:
        """How many migrations this store has had."""
        return len(self.applied_migrations())

    def applied_migrations(self) -> list[str]:
        """Names of the applied migrations, in order."""
        return self._read(applied)

    # --- items --------------------------------------------------------------------------------

    def upsert_items(
        self, items: Sequence[FetchedItem], source: str, now: datetime | None = None, new_status: Status = Status.NEW
    ) -> UpsertReport:
        """Store items fetched from ``source``: new ones added (as ``new_status``), newer versions updated, triage
        untouched."""
        at = utc_now(now)
        return self._write(lambda conn: upsert.upsert_items(conn, items, source, at, new_status))

    # --- backfill harvests ----------------------------------------------------------------------

    def harvest_state(self, key: str | None) -> HarvestState | None:
        """The backfill harvest named ``key``; with None, the unfinished one advanced most recently."""
        return self._read(lambda conn: harvest.load(conn, key))

    def save_harvest(self, state: HarvestState, now: datetime | None = None) -> None:
        """Record where a harvest stands."""
        at = utc_now(now)
        self._write(lambda conn: harvest.save(conn, state, at))

    def store_harvest_page(
        self, items: Sequence[FetchedItem], source: str, state: HarvestState, now: datetime | None = None
    ) -> tuple[UpsertReport, HarvestState]:
        """One transaction: a page's papers (the normal upsert; new ones filed as skipped history) and ``state``
        (its ``new`` count advanced by the papers the store did not have), as saved."""
        at = utc_now(now)
        return self._write(lambda conn: harvest.store_page(conn, items, source, state, at))

    # --- full texts -------------------------------------------------------------------------------

    def save_fulltext(self, text: FullText, now: datetime | None = None) -> FullTextInfo:
        """Store a paper's full text (replacing an earlier version's), queued for the index in the same transaction."""
        at = utc_now(now)
        return self._write(lambda conn: fulltext.save(conn, text, at))

    def fulltexts(self, item_ids: Sequence[str]) -> dict[str, FullText]:
        """The full texts of those of ``item_ids`` that have a readable one."""
        return self._read(lambda conn: fulltext.load(conn, item_ids))

    def fulltext_infos(self, item_ids: Sequence[str]) -> dict[str, FullTextInfo]:
        """What is stored of these papers' full texts, without reading the texts."""
        return self._read(lambda conn: fulltext.infos(conn, item_ids))

    def touch_fulltexts(self, item_ids: Sequence[str], now: datetime | None = None) -> None:
        """Mark these full texts as used now: eviction keeps the most recently used."""
        at = utc_now(now)
        self._write(lambda conn: fulltext.touch(conn, item_ids, at))

    def fulltext_usage(self) -> tuple[int, int]:
        """(how many full texts, their stored size in bytes)."""
        return self._read(fulltext.usage)

    def evict_fulltexts(self, max_bytes: int, keep: Sequence[str] = ()) -> list[str]:
        """Delete the least recently used full texts until the rest fit in ``max_bytes``; returns the evicted ids."""
        return self._write(lambda conn: fulltext.evict(conn, max_bytes, keep))

    def remove_fulltexts(self, item_ids: Sequence[str]) -> None:
        """Delete these papers' full texts (queued for the index)."""
        self._write(lambda conn: fulltext.remove(conn, item_ids))

    def fulltexts_due(
        self, wanted: Sequence[str], limit: int, now: datetime | None = None
    ) -> list[tuple[str, int | None]]:
        """Up to ``limit`` (paper id, version) whose full text `kb fetch` should get (kb.store.fulltext_due)."""
        at = utc_now(now)
        return self._read(lambda conn: fulltext_due.due(conn, wanted, limit, at))

    def record_fulltext_failure(
        self, item_id: str, version: int | None, error: str, now: datetime | None = None
    ) -> int:
        """Remember a failed attempt (the paper waits 1, 2, 4 ... days); returns the failures in a row."""
        at = utc_now(now)
        return self._write(lambda conn: fulltext_due.record_failure(conn, item_id, version, error, at))

    def forget_fulltext_failures(self, item_ids: Sequence[str]) -> None:
        """These papers' texts were had: forget their failed attempts."""
        self._write(lambda conn: fulltext_due.forget_failures(conn, item_ids))

    # --- citations (Semantic Scholar) ---------------------------------------------------------------

    def save_citations(self, lists: CitationLists, now: datetime | None = None) -> None:
        """Replace a paper's references and citations and its fetch time, in one transaction."""
        at = utc_now(now)
        self._write(lambda conn: citations.save(conn, lists, at))

    def citations(self, paper_id: str) -> CitationLists | None:
        """A paper's stored lists (with when they were fetched), or None when never fetched."""
        return self._read(lambda conn: citations.load(conn, paper_id))

    def citations_due(self, before: datetime, limit: int) -> list[str]:
        """Kept papers (starred, tagged, noted) whose lists are missing or older than ``before``, stalest first."""
        return self._read(lambda conn: citations.due(conn, utc_now(before), limit))

    def citations_fetched(self, paper_ids: Sequence[str]) -> dict[str, datetime]:
        """When each paper's lists were fetched (those never fetched are left out)."""
        return self._read(lambda conn: citations.fetched_at(conn, paper_ids))

    def citing(self, paper_id: str) -> set[str]:
        """Items of the workspace that cite ``paper_id``."""
        return self._read(lambda conn: citations.citing(conn, paper_id))

    def cited_by(self, paper_id: str) -> set[str]:
        """Items of the workspace that ``paper_id`` cites."""
        return self._read(lambda conn: citations.cited(conn, paper_id))

    def in_workspace(self, ids: Sequence[str | None]) -> set[str]:
        """Those of ``ids`` that are items of the workspace."""
        return self._read(lambda conn: citations.in_workspace(conn, ids))

    def citing_starred(self) -> dict[str, set[str]]:
        """Each item citing a starred paper -> the starred papers it cites."""
        return self._read(citations.citing_starred)

    def mark_citing_starred(self, source: str, now: datetime | None = None) -> list[str]:
        """File new items citing a starred paper under ``source`` too (index queued in the same transaction)."""
        at = utc_now(now)
        return self._write(lambda conn: citations.mark_source(conn, source, at))

    def get_item(self, item_id: str) -> Item | None:
        """One item, or None."""
        return self._read(lambda conn: queries.load_items(conn, [item_id])).get(item_id)

    def get_items(self, ids: Sequence[str]) -> list[Item]:
        """The stored items among ``ids``, in the given order."""
        found = self._read(lambda conn: queries.load_items(conn, ids))
        return [found[i] for i in ids if i in found]

    def author_names(self, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """The authors' names of the stored items among ``ids``, in order (kb.store.reads.author_names)."""
        return self._read(lambda conn: reads.author_names(driver(conn), ids))

    def post_ids_by_url(self, urls: Sequence[str]) -> dict[str, str]:
        """The stored posts whose URL is one of ``urls``, as url -> post id (notes name posts by URL)."""
        return self._read(lambda conn: queries.post_ids_by_url(conn, urls))

    def list_items(self, flt: ItemFilter) -> list[Item]:
        """Items matching ``flt``, newest first (published, then first seen, then id)."""
        return self._read(lambda conn: queries.list_items(conn, flt))

    def iter_list(self, flt: ItemFilter, batch_size: int = 1000) -> Iterator[list[Item]]:
        """``list_items`` in batches: the ids are read at once, the items a batch at a time (a million rows
        never sit in memory as items). An item deleted meanwhile is left out."""
        ids = self._read(lambda conn: queries.listed_ids(conn, flt))
        for start in range(0, len(ids), max(batch_size, 1)):
            part = ids[start : start + max(batch_size, 1)]
            found = self._read(lambda conn, part=part: queries.load_items(conn, part))  # type: ignore[misc]
            yield [found[i] for i in part if i in found]

    def latest_judgements(self, limit: int) -> list[Item]:
        """The items the person read, skipped, starred or tagged last (at least the newest ``limit`` by their
        latest triage moment; up to three times that), in no particular order."""
        return self._read(lambda conn: list(queries.load_items(conn, queries.latest_judged_ids(conn, limit)).values()))

    def latest_judged_ids(self, limit: int) -> list[str]:
        """The ids ``latest_judgements`` loads (the newest ``limit`` by each triage moment), from indexes only."""
        return self._read(lambda conn: queries.latest_judged_ids(conn, limit))

    def triage_keys(self, ids: Sequence[str]) -> list[tuple[str, ...]]:
        """What a judgement of each stored item among ``ids`` depends on, as text (kb.store.queries.triage_keys)."""
        return self._read(lambda conn: queries.triage_keys(conn, ids))

    def status_counts(self) -> dict[Kind, dict[Status, int]]:
        """How many papers and posts are in each triage status (indexed counts: no item is loaded)."""
        return self._read(queries.status_counts)

    def new_by_source(self) -> dict[str, int]:
        """How many still-new items each source brought (one indexed GROUP BY)."""
        return self._read(queries.new_by_source)

    def count_items(self, flt: ItemFilter) -> int:
        """How many items match ``flt``, ignoring its limit and offset."""
        return self._read(lambda conn: queries.count_items(conn, flt))

    def iter_items(self, batch_size: int = 2000) -> Iterator[list[Item]]:
        """Every item, in batches in id order; each batch is read in its own short transaction."""
        after: str | None = None
        while batch := self._read(partial(self._batch, after=after, size=batch_size)):
            yield batch
            after = batch[-1].id

    @staticmethod
    def _batch(conn: Connection, after: str | None, size: int) -> list[Item]:
        ids = queries.item_ids_after(conn, after, max(size, 1))
        found = queries.load_items(conn, ids)
        return [found[i] for i in ids]

    def paper_versions(self, item_id: str) -> list[tuple[int, datetime]]:
        """The versions of a paper seen so far, oldest first, each with when kb first saw it."""
        return self._read(lambda conn: queries.paper_versions(conn, item_id))

    def set_triage(self, item_id: str, change: TriageChange, now: datetime | None = None) -> Item:
        """Apply a triage change (status, star, tags: those it sets) in one transaction, with its queue row.

        The time of each field that changes is recorded; setting a status clears the item's alert.
        """
        at = utc_now(now)
        if change.status is not None:
            change = replace(change, status=coerce_status(change.status))
        return self._edit(item_id, lambda conn: triage.apply_change(conn, item_id, change, at))

    def set_status(self, item_id: str, status: Status, now: datetime | None = None) -> Item:
        """Set an item's triage status (the time is recorded when it changes); clears its alert."""
        return self.set_triage(item_id, TriageChange(status=coerce_status(status)), now)

    def set_starred(self, item_id: str, starred: bool, now: datetime | None = None) -> Item:
        """Star or unstar an item."""
        return self.set_triage(item_id, TriageChange(starred=bool(starred)), now)

    def set_tags(self, item_id: str, tags: Sequence[str], now: datetime | None = None) -> Item:
        """Replace an item's tags (stripped, lower-cased, deduplicated, sorted)."""
        return self.set_triage(item_id, TriageChange(tags=tuple(tags) if not isinstance(tags, str) else (tags,)), now)

    def _edit(self, item_id: str, work: Callable[[Connection], object]) -> Item:
        def edit_and_read(conn: Connection) -> Item:
            work(conn)
            item = queries.load_items(conn, [item_id]).get(item_id)
            if item is None:  # pragma: no cover - work() raised NotFound already
                raise NotFound(f"no item {item_id} in the store")
            return item

        return self._write(edit_and_read)

    def merge_triage(self, records: Sequence[TriageRecord]) -> TriageMerge:
        """Merge another workspace's triage state: per item and field the newer change wins (`kb import`)."""
        return self._write(lambda conn: exchange.merge_triage(conn, records))

    def all_tags(self) -> list[tuple[str, int]]:
        """Every tag in use with its item count, by tag."""
        return self._read(queries.all_tags)

    def ensure_papers(self, ids: Sequence[str], now: datetime | None = None) -> list[str]:
        """Placeholder papers (no metadata yet) for ids not stored; returns the ids created."""
        at = utc_now(now)
        return self._write(lambda conn: upsert.ensure_papers(conn, ids, at))

    def papers_without_metadata(self) -> list[str]:
        """Ids of placeholder papers waiting for a fetch of their metadata."""
        return self._read(upsert.papers_without_metadata)

    # --- the search index's queue (kb.store.pending) -------------------------------------------

    def index_backlog(self, limit: int = 5000) -> IndexBacklog:
        """The oldest ``limit`` queued changes, one entry per document, and the position they reach."""
        return self._read(lambda conn: pending.backlog(conn, limit))

    def clear_index_backlog(self, upto: int) -> int:
        """Forget the queued changes at or below position ``upto`` (the index has them); returns how many."""
        return self._write(lambda conn: pending.clear(conn, upto))

    def index_position(self) -> int:
        """The highest queue position so far: a rebuild starting now covers every change up to it."""
        return self._read(pending.last_position)

    def change_count(self) -> int:
        """A number that grows with every change queued for the index, in any process (kb.store.pending)."""
        return self._read(pending.high_water)

    def index_backlog_size(self) -> int:
        """How many queued changes wait for the index."""
        return self._read(pending.count)

    # --- fetch log and source state -----------------------------------------------------------

    def start_run(self, now: datetime | None = None) -> int:
        """Open a fetch run in the log; returns its id."""
        at = utc_now(now)
        return self._write(lambda conn: fetchlog.start_run(conn, at))

    def record_source(
        self, run_id: int, result: SourceResult, report: UpsertReport, now: datetime | None = None
    ) -> None:
        """Log one source's outcome in a run (FeedState is saved separately, with save_feed_state)."""
        at = utc_now(now)
        self._write(lambda conn: fetchlog.record_source(conn, run_id, result, report, at))

    def finish_run(self, run_id: int, now: datetime | None = None) -> FetchRunSummary:
        """Close a run; returns its summary."""
        at = utc_now(now)
        return self._write(lambda conn: fetchlog.finish_run(conn, run_id, at))

    def recent_runs(self, limit: int = 10) -> list[FetchRunSummary]:
        """The latest runs, newest first."""
        return self._read(lambda conn: fetchlog.recent_runs(conn, limit))

    def source_log(self, source: str | None = None, limit: int = 50) -> list[SourceLogEntry]:
        """Log entries, newest first, for one source (or all)."""
        return self._read(lambda conn: fetchlog.source_log(conn, source, limit))

    def latest_source_logs(self) -> dict[str, SourceLogEntry]:
        """Each source's newest log entry, by source name."""
        return self._read(fetchlog.latest_source_logs)

    def feed_state(self, source: str) -> FeedState | None:
        """What is remembered about one source."""
        return self._read(lambda conn: fetchlog.feed_state(conn, source))

    def feed_states(self) -> dict[str, FeedState]:
        """What is remembered about every source."""
        return self._read(fetchlog.feed_states)

    def save_feed_state(self, state: FeedState) -> None:
        """Replace what is remembered about ``state.source``."""
        self._write(lambda conn: fetchlog.save_feed_state(conn, state))

    # --- note metadata cache ------------------------------------------------------------------

    def note_records(self) -> dict[str, Note]:
        """Every cached note by path (bodies empty)."""
        return self._read(notecache.note_records)

    def save_notes(self, notes: Sequence[Note]) -> None:
        """Insert or replace cached notes."""
        self._write(lambda conn: notecache.save_notes(conn, notes))

    def delete_notes(self, paths: Sequence[str]) -> None:
        """Forget cached notes."""
        self._write(lambda conn: notecache.delete_notes(conn, paths))

    def update_notes(self, saved: Sequence[Note], deleted: Sequence[str], now: datetime | None = None) -> None:
        """One scan's changes in one transaction: notes saved, notes forgotten, and a placeholder paper for
        every linked id not stored yet (so a killed sync never leaves a link that no fetch will fill)."""
        at = utc_now(now)
        # Placeholders for arXiv ids only: the posts a note names are stored already (or cannot be fetched by id).
        papers = sorted({paper for note in saved for paper in note.papers if paper.startswith("arxiv:")})

        def work(conn: Connection) -> None:
            notecache.save_notes(conn, saved)
            notecache.delete_notes(conn, deleted)
            upsert.ensure_papers(conn, papers, at)

        self._write(work)

    def notes_linking(self, paper_id: str) -> list[Note]:
        """Cached notes linking ``paper_id``, by path (bodies empty)."""
        return self._read(lambda conn: notecache.notes_linking(conn, paper_id))

    def papers_with_notes(self) -> set[str]:
        """Ids of the papers at least one note links."""
        return self._read(notecache.papers_with_notes)

    # --- change alerts and completeness (kb.library.sources.alerts, kb.library.sources.gaps) ---------

    def watched_items(self, ids: Sequence[str]) -> list[Item]:
        """The stored papers among ``ids`` that are starred, tagged or linked from a note."""
        return self._read(lambda conn: list(queries.load_items(conn, alerts.watched_ids(conn, ids)).values()))

    def set_alerts(self, texts: Mapping[str, str], now: datetime | None = None) -> None:
        """Mark items (id -> what changed) and put them back in the inbox (status new), in one transaction."""
        at = utc_now(now)
        self._write(lambda conn: alerts.set_alerts(conn, texts, at))

    def record_announcements(self, counts: Mapping[tuple[str, date], int], now: datetime | None = None) -> None:
        """Remember how many papers each (category, announcement day) carried; the largest count wins."""
        at = utc_now(now)
        self._write(lambda conn: alerts.record_announcements(conn, counts, at))

    def announcement_days(self, since: date) -> dict[str, dict[date, int]]:
        """Paper counts by category and announcement day, from ``since`` on."""
        return self._read(lambda conn: alerts.announcement_days(conn, since))

    def first_announcement_days(self) -> dict[str, date]:
        """The first announcement day recorded for each category."""
        return self._read(alerts.first_announcement_days)

    def record_repairs(self, keys: Sequence[str], source: str, new_items: int, now: datetime | None = None) -> None:
        """Remember that the gaps ``keys`` were repaired."""
        at = utc_now(now)
        self._write(lambda conn: alerts.record_repairs(conn, keys, source, new_items, at))

    def repaired(self, keys: Sequence[str]) -> dict[str, datetime]:
        """When each of the gaps ``keys`` was repaired, for those that were."""
        return self._read(lambda conn: alerts.repaired(conn, keys))
