"""The Library: one object that the CLI, the TUI and the tests build with ``Library.open(root)``.

It owns the workspace's store, its notes (kb.library.notebook) and its index (kb.library.indexing, kept in
step through the store's queue), each opened when first needed, so `kb list` never loads Whoosh and
`kb search` never loads the network stack; and it offers the use cases: fetch, triage, search, notes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from filelock import FileLock

from kb.config import Config, MuteRule, load_config
from kb.errors import FetchLocked, KbError, NotFound, StoreError, UsageError
from kb.library.fetching import FetchReport, FetchRun, Progress, check_source_names, fetch_lock
from kb.library.fulltexts import FullTexts
from kb.library.indexing import IndexKeeper
from kb.library.logs import run_logger
from kb.library.notebook import Notebook
from kb.library.sources.gaps import Gap, find_gaps
from kb.library.sources.health import SourceHealth, all_health, due_sources, status_report
from kb.library.storeguard import open_store, peek_store
from kb.models import (
    FetchRunSummary,
    Item,
    ItemFilter,
    Kind,
    Note,
    SearchResult,
    SimilarResult,
    Status,
    TriageChange,
    parse_arxiv_id,
)
from kb.notes import NoteSnapshot
from kb.paths import Workspace, find_workspace

if TYPE_CHECKING:
    from kb.fetchers import Fetcher
    from kb.index import SearchIndex
    from kb.library.backfill import BackfillReport
    from kb.library.backfill import Progress as BackfillProgress
    from kb.library.citations import PaperCitations
    from kb.library.doctor import DoctorReport
    from kb.library.formats.bibimport import ImportProgress, ImportReport
    from kb.library.formats.digest import Digest
    from kb.library.fulltext_fetching import FullTextReport
    from kb.library.people import PersonPage
    from kb.store import Store
    from kb.store.peek import Peek, StatusReads

#: Changes waiting for the index above which `kb status` calls the index behind (the next command catches up).
BACKLOG_OK = 1000


class Library:
    """A workspace's knowledge base. Build it with :meth:`open`; close it (or use ``with``) when done."""

    def __init__(self, workspace: Workspace, config: Config) -> None:
        self.workspace = workspace
        self.config = config
        self._opened_store: Store | None = None
        self._peek: Peek | None = None  # the store read-only, while the Store is not needed (_read_only)
        self._peeked = False
        self._wrote_triage = False  # checkpointed on close
        self.logger = run_logger(workspace.log)
        self.notes = Notebook(workspace, lambda: self._store, self.get_item, self.logger, config.notes.max_index_kb)
        self._indexer = IndexKeeper(workspace, config.search.engine, lambda: self._store, self.notes, self.logger)
        self.fulltexts = FullTexts(lambda: self._store, self._follow)

    @classmethod
    def open(cls, root: str | Path | None = None, cwd: Path | None = None) -> Library:
        """Find the workspace (--root, KB_ROOT, then upwards from ``cwd``) and read its feeds.yaml."""
        workspace = find_workspace(root, cwd)
        config = load_config(workspace.config)  # first: a bad feeds.yaml must leave the disk as it was
        workspace.state.mkdir(exist_ok=True)
        return cls(workspace, config)

    # --- parts, opened on first use ---------------------------------------------------------------

    @property
    def _store(self) -> Store:
        """The store. Private to kb.library: the CLI and the TUI use the methods (tests/test_facade.py)."""
        if self._opened_store is None:
            self._close_peek()
            self._opened_store = open_store(self.workspace)  # a store that vanished is noticed (storeguard.py)
        return self._opened_store

    def _read_only(self) -> Peek | None:
        """The store read-only (kb.store.peek: no SQLAlchemy, no SQLModel) while the Store is not open and the
        file needs no migration; None means: use ``_store``. `kb status` and `kb search` start on it, and open
        the Store only for a write (a pending index queue, changed notes, a migration, a rebuild)."""
        if self._opened_store is not None:
            return None
        if not self._peeked:
            self._peeked = True
            self._peek = peek_store(self.workspace)
        return self._peek

    def _close_peek(self) -> None:
        if self._peek is not None:
            self._peek.close()
            self._peek = None

    @property
    def _index(self) -> SearchIndex:
        """The search index: rebuilt first if it is missing, of an older schema, damaged or of another engine
        than feeds.yaml's `search.engine`; else caught up."""
        return self._indexer.index

    @property
    def rebuild_progress(self) -> Callable[[int | None], None] | None:
        """Told the documents indexed so far when a command has to rebuild the index first (a missing or
        damaged index, or `search.engine` changed in feeds.yaml), then None when it is done."""
        return self._indexer.rebuild_progress

    @rebuild_progress.setter
    def rebuild_progress(self, progress: Callable[[int | None], None] | None) -> None:
        self._indexer.rebuild_progress = progress

    def doctor(self, new_store: bool = False) -> DoctorReport:
        """Check the store, salvage a damaged one, rebuild the derived data (`kb doctor`, library/doctor.py)."""
        from kb.library.doctor import run_doctor

        return run_doctor(self, new_store)

    def checkpoint(self) -> None:
        """Copy recent store changes out of the WAL into the store file (the TUI calls this when triage goes idle)."""
        if self._opened_store is not None:
            self._opened_store.checkpoint()

    def close(self) -> None:
        if self._wrote_triage:  # a CLI triage command ends with its changes in the store file, not only the WAL
            with contextlib.suppress(StoreError):  # e.g. a full disk: the changes stay safe in the WAL
                self.checkpoint()
        self._indexer.close()
        self._close_peek()
        if self._opened_store is not None:
            self._opened_store.close()
            self._opened_store = None

    def __enter__(self) -> Library:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    # --- items ------------------------------------------------------------------------------------

    def resolve_id(self, text: str) -> str:
        """The item id for what a person typed: ``1706.03762v2``, an arXiv URL, ``post:...``, ``note:...``."""
        text = text.strip()
        if text.startswith(("post:", "note:")):
            return text
        arxiv_id = parse_arxiv_id(text)
        if arxiv_id is None:
            raise UsageError(f"'{text}' is not an arXiv id, an arXiv URL or a kb id (post:..., note:...)")
        return arxiv_id.key

    def get_item(self, text: str) -> Item:
        item = self._store.get_item(self.resolve_id(text))
        if item is None:
            raise NotFound(f"no item {text} in this workspace", hint="`kb add ID` fetches a paper by id")
        return item

    # --- reads for the screens and commands (kb.cli and kb.tui never touch the store or the index) ---

    def items(self, ids: Sequence[str]) -> list[Item]:
        """The stored items among ``ids`` (kb ids), in that order; unknown ids are left out."""
        return self._store.get_items(ids)

    def item_or_none(self, item_id: str) -> Item | None:
        """The stored item with this kb id (``arxiv:...``, ``post:...``), or None."""
        return self._store.get_item(item_id)

    def count_items(self, flt: ItemFilter) -> int:
        """How many stored items ``flt`` selects (its limit and offset aside)."""
        return self._store.count_items(flt)

    def notes_linking(self, item_id: str) -> list[Note]:
        """The notes that link this paper, by path, from the note cache: no scan of notes/ (sync_notes does it)."""
        return self._store.notes_linking(item_id)

    def papers_with_notes(self) -> set[str]:
        """Ids of the papers at least one note links (from the note cache)."""
        return self._store.papers_with_notes()

    def all_tags(self) -> list[tuple[str, int]]:
        """Every tag in use with how many items carry it, by tag."""
        return self._store.all_tags()

    def recent_runs(self, limit: int = 10) -> list[FetchRunSummary]:
        """The latest fetch runs (any process's), newest first."""
        return self._store.recent_runs(limit)

    def source_health(self) -> list[SourceHealth]:
        """How each configured source has been doing, in feeds.yaml order (the TUI's Sources screen)."""
        return all_health(self._store, self.config)

    def muted_by_rule(self, since: datetime | None = None) -> list[tuple[MuteRule, list[Item]]]:
        """Items mute rules filed as skipped on arrival (first seen since ``since``), by rule in feeds.yaml order."""
        from kb.library.formats.digest import muted_by_rule

        return muted_by_rule(self._store, self.config.mute, since)

    def digest(self, since: datetime, until: datetime, per_source: int | None = None) -> Digest:
        """What arrived in [since, until), grouped by source, each group in the for-you order (`kb digest`)."""
        from kb.library.formats.digest import build_digest

        def ranked(items: Sequence[Item]) -> list[Item]:
            return [item for item, _score, _why in self.rank(items)]

        return build_digest(self._store, self.config, since, until, per_source, ranked)

    def ensure_index(self) -> None:
        """Open the search index now, rebuilding it if it must be (a TUI worker calls this before any search)."""
        _ = self._index

    def unread_by_source(self) -> dict[str, int]:
        """How many still-new items each source brought, by source name (one indexed GROUP BY: Sources screen)."""
        return self._store.new_by_source()

    def change_count(self) -> int:
        """A number that grows with every change to items, triage or notes, made by any process: an open TUI
        polls it to notice triage done from the CLI or another TUI (one row read, whatever the store's size)."""
        return self._store.change_count()

    def index_lost(self) -> bool:
        """True when the search index this library opened has since vanished or been damaged (deleted while
        the TUI is open); ``ensure_index`` then rebuilds it."""
        return self._indexer.lost()

    def ranking_untrained(self) -> str | None:
        """None once the for-you order has learned from your triage; before that, the one line saying what it
        still needs (the line `kb why` prints), while the order is newest first."""
        from kb.library.ranking.cache import workspace_ranker

        ranker = workspace_ranker(self)
        return None if ranker.learned else ranker.untrained_line()

    # --- end of the reads ----------------------------------------------------------------------------

    def list_items(self, flt: ItemFilter) -> list[Item]:
        return self._store.list_items(flt)

    def list_pages(self, flt: ItemFilter, size: int = 1000) -> Iterator[list[Item]]:
        """``list_items`` a page at a time (`kb list` of a million items holds one page, not all)."""
        return self._store.iter_list(flt, size)

    def rank(self, items: Sequence[Item], explain: bool = True) -> list[tuple[Item, float, str]]:
        """``items`` ordered for you, best first: (item, score 0..1, why), learned from your triage (ranking.py).

        ``explain=False`` leaves each why empty (faster, for a list that shows none)."""
        from kb.library.ranking.inbox import rank_inbox

        return rank_inbox(self, items, explain)

    # --- triage: one transaction (the index's queue row with it), then the index caught up ------------

    def set_triage(self, item_id: str, change: TriageChange, catch_up: bool = True) -> Item:
        """Apply ``change`` to an item in one store transaction; with ``catch_up`` the index follows at once.

        The TUI passes ``catch_up=False`` and drains the queue when the keys pause (one commit for a burst).
        """
        self._wrote_triage = True
        item = self._store.set_triage(item_id, change)
        if catch_up:
            self._follow(f"triage of {item_id}")
        return item

    def set_status(self, item_id: str, status: Status) -> Item:
        return self.set_triage(item_id, TriageChange(status=status))

    def set_starred(self, item_id: str, starred: bool) -> Item:
        return self.set_triage(item_id, TriageChange(starred=starred))

    def set_tags(self, item_id: str, tags: Sequence[str]) -> Item:
        return self.set_triage(item_id, TriageChange(tags=(tags,) if isinstance(tags, str) else tuple(tags)))

    # --- search and the index ---------------------------------------------------------------------

    def search(
        self, query: str, limit: int = 20, sort: str = "relevance", marks: tuple[str, str] = ("«", "»")
    ) -> SearchResult:
        """Search papers, posts and notes. Raises QueryError for a query that cannot be parsed."""
        from kb.library.citations import resolve_filters

        settled = self._search_settled(query, limit, sort, marks)
        if settled is not None:
            return settled
        self.ensure_synced()
        return self._index.search(query, limit=limit, sort=sort, marks=marks, id_sets=resolve_filters(self, query))

    def _search_settled(self, query: str, limit: int, sort: str, marks: tuple[str, str]) -> SearchResult | None:
        """The search with the store read-only, when nothing must be written first: the index queue empty,
        notes/ as the note cache has it, no filter the store answers (``cites:``), the index current. None:
        ``search`` takes the full path (it syncs, catches up or rebuilds, then searches)."""
        from kb.index.compile import store_filters
        from kb.store.peek import PeekFailed

        if store_filters(query):
            return None
        peek = self._read_only()
        if peek is None:
            return None
        try:
            if peek.index_backlog_size() or not (self.notes.synced or self.notes.unchanged(peek.note_records())):
                return None
        except PeekFailed:
            return None
        index = self._indexer.opened()
        if index.needs_rebuild:
            return None
        return index.search(query, limit=limit, sort=sort, marks=marks, id_sets={})

    def author_names(self, ids: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """The authors' names of the stored items among ``ids``, in order (`kb search`'s hit lines), read-only
        when the store is not open (kb.store.peek)."""
        from kb.store.peek import PeekFailed

        peek = self._read_only()
        if peek is not None:
            with contextlib.suppress(PeekFailed):
                return peek.author_names(ids)
        return self._store.author_names(ids)

    def similar(self, text: str, limit: int = 10, marks: tuple[str, str] = ("«", "»")) -> SimilarResult:
        """The papers, posts and notes most like an item, or the papers like those a note links, each with
        the words it shares (kb.library.similar). NotFound for an unknown item or note."""
        from kb.library.similar import find_similar

        self.ensure_synced()
        return find_similar(self._store, lambda: self._index, self.notes, self.get_item, text, limit, marks)

    def person(self, name: str) -> PersonPage:
        """A followed person's page (kb.library.people): their papers and posts newest first, with your triage
        and notes. NotFound when feeds.yaml follows nobody of that name."""
        from kb.library.people import person_page

        self.ensure_synced()
        store = self._store
        return person_page(self.config, name, store.list_items, store.papers_with_notes(), store.notes_linking)

    def catch_up_index(self) -> int:
        """Tell the index every change the store has queued for it (kb.library.indexing); returns how many."""
        return self._indexer.catch_up()

    def _follow(self, what: str) -> None:
        """Catch the index up after a write; a failure is logged, never raised: the write is stored, and queued
        for the index, so the next command that opens the index retries."""
        try:
            self.catch_up_index()
        except KbError as error:
            self.logger.warning("index not updated after %s: %s", what, error)

    def index_backlog(self) -> int:
        """How many changes wait for the index (the next command that opens it catches up)."""
        return self._indexer.backlog()

    def reindex(self, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the index from the store (and notes/): the index is a cache."""
        return self._indexer.rebuild(progress)

    # --- notes (kb.library.notebook); a change to notes/ reaches the index through the queue ----------

    def sync_notes(self, index: bool = True) -> list[str]:
        """Pick up notes changed on disk; with ``index``, the index follows when any did. Warnings, one a line."""
        warnings, changed = self.notes.sync()
        if index and changed:
            self._follow("note sync")
        return warnings

    def ensure_synced(self) -> list[str]:
        """Sync notes once per library."""
        return [] if self.notes.synced else self.sync_notes()

    def list_notes(self) -> list[Note]:
        return self.notes.list_notes()

    def get_note(self, path: str) -> Note:
        return self.notes.get_note(path)

    def note_path(self, text: str) -> str:
        return self.notes.note_path(text)

    def note_file(self, note_path: str) -> Path:
        return self.notes.note_file(note_path)

    def notes_for_paper(self, item_id: str) -> list[Note]:
        return self.notes.notes_for_paper(item_id)

    def linked_sections(self, item_id: str) -> list[tuple[Note, tuple[str, ...]]]:
        """The notes linking this paper, each with the sections of its full text it links (issue 14)."""
        return self.notes.linked_sections(item_id)

    def owned_notes(self, item: Item) -> list[Note]:
        """The item's own notes (front matter names it); notes that only link it are backlinks."""
        return self.notes.owned_notes(item)

    def backlinks(self, note_path: str) -> list[Note]:
        return self.notes.backlinks(note_path)

    def note_links(self, note_path: str) -> tuple[list[str], list[Note]]:
        return self.notes.note_links(note_path)

    def read_note(self, note_path: str) -> tuple[str, NoteSnapshot]:
        return self.notes.read_note(note_path)

    def save_note(self, note_path: str, text: str, snapshot: NoteSnapshot | None) -> NoteSnapshot:
        saved = self.notes.save_note(note_path, text, snapshot)
        self._follow(f"saving {note_path}")
        return saved

    def new_note(self, title: str, today: date | None = None) -> str:
        path = self.notes.new_note(title, today)
        self._follow(f"creating {path}")
        return path

    def note_for_paper(self, item_text: str, today: date | None = None) -> str:
        path = self.notes.note_for_paper(item_text, today)
        self._follow(f"creating {path}")
        return path

    def new_paper_note(self, item_text: str, today: date | None = None) -> str:
        path = self.notes.new_paper_note(item_text, today)
        self._follow(f"creating {path}")
        return path

    # --- fetch ------------------------------------------------------------------------------------

    def fetch(self, names: Collection[str] | None = None, progress: Progress | None = None) -> FetchReport:
        """Fetch every source (or those named) into the store and the index, under the fetch lock."""
        check_source_names(self.config, names)
        self.ensure_synced()  # notes may link papers kb has not seen: this fetch fetches them
        from kb.fetchers import Fetcher

        with self._fetch_lock():
            self.logger.info("fetch start sources=%s", ",".join(names) if names else "all")
            run = FetchRun(self._store, self.config, self.logger, progress, self._index_after_source)
            if names is None:  # a source failing again and again rests; naming it fetches it anyway
                wanted, resting = due_sources(self._store, self.config)
                run.report.resting = [source.name for source in resting]
            else:
                wanted = list(names)
            with Fetcher(self.config) as fetcher:
                fetcher.fetch_all(wanted, self._store.feed_states(), run.on_result)
                missing = [] if names else self._store.papers_without_metadata()
                if missing:
                    run.on_result(fetcher.fetch_ids(missing, source="note links"))
                if names is None:  # papers' texts last: they never delay the sources (issue 14)
                    run.report.fulltexts = self._fetch_fulltexts(fetcher, None)
                if names is None:  # last: the sources never wait for Semantic Scholar
                    self._refresh_citations(fetcher, run)
            report = run.finish()
        self._index_after_fetch(report)
        return report

    def add(self, texts: Sequence[str], progress: Progress | None = None, source: str = "kb add") -> FetchReport:
        """Fetch the given papers by id (`kb add`; ``source`` names who asked, in each paper's sources)."""
        ids = []
        for text in texts:
            arxiv_id = parse_arxiv_id(text)
            if arxiv_id is None:
                raise UsageError(f"'{text}' is not an arXiv id or URL", hint="e.g. 1706.03762 or arxiv.org/abs/...")
            ids.append(arxiv_id.id)
        from kb.fetchers import Fetcher

        with self._fetch_lock():
            run = FetchRun(self._store, self.config, self.logger, progress, self._index_after_source)
            with Fetcher(self.config) as fetcher:
                run.on_result(fetcher.fetch_ids(ids, source=source))
            report = run.finish()
        self._index_after_fetch(report)
        return report

    def fetch_fulltexts(self, texts: Sequence[str]) -> FullTextReport:
        """Fetch these papers' full texts now (`kb fulltext ID...`), under the fetch lock; papers whose text of
        their current version is held are reported as ``held``. NotFound for a paper kb does not have."""
        items = [self.get_item(text) for text in texts]
        for item in items:
            if item.kind is not Kind.PAPER:
                raise UsageError(f"{item.id} is not an arXiv paper: only papers have a full text to fetch")
        from kb.fetchers import Fetcher

        with self._fetch_lock(), Fetcher(self.config) as fetcher:
            return self._fetch_fulltexts(fetcher, items)

    def _fetch_fulltexts(self, fetcher: Fetcher, items: Sequence[Item] | None) -> FullTextReport:
        """The due texts (``items`` None) or those of ``items``, stored one by one (library/fulltext_fetching.py)."""
        from kb.library.fulltext_fetching import fetch_due, fetch_named

        if items is None:
            return fetch_due(self._store, self.fulltexts, fetcher.fulltext, self.config.fulltext, self.logger)
        return fetch_named(self._store, self.fulltexts, fetcher.fulltext, items, self.config.fulltext, self.logger)

    def import_bib(self, path: Path, star: bool = False, progress: ImportProgress | None = None) -> ImportReport:
        """Bring in a reference manager's BibTeX or CSL JSON export (`kb import-bib`): kb.library.formats.bibimport."""
        from kb.library.formats.bibimport import import_bib

        return import_bib(self, path, star, progress)

    def status(self) -> dict[str, object]:
        """The last runs, failing and incomplete sources, and the index's health (`kb status`).

        The index is ``ok`` when it exists, has the current schema, holds as many documents as the store and
        notes/, and at most BACKLOG_OK changes wait for it (after this command has caught it up).

        The store is read read-only (kb.store.peek) unless the index is current and changes wait for it: then the
        Store is opened and the index caught up first. Both give the same report (tests/library/test_read_only.py).
        """
        from kb.store.peek import PeekFailed

        index = self._indexer.opened()  # one open, no searcher: the count and size come from the engine's metadata
        current = not index.needs_rebuild
        peek = self._read_only()
        if peek is not None:
            try:
                backlog = peek.index_backlog_size()
                if not (current and backlog):  # nothing to catch up: nothing to write
                    return self._status_report(peek, index, current, backlog)
            except PeekFailed:
                pass
        if current:  # never rebuilt from here: `kb status` only reports
            try:
                self.catch_up_index()
            except KbError as error:
                self.logger.warning("status: index catch-up failed: %s", error)
        return self._status_report(self._store, index, current, self.index_backlog())

    def _status_report(self, reads: StatusReads, index: SearchIndex, current: bool, backlog: int) -> dict[str, object]:
        documents = index.doc_count() if current else None
        report = status_report(reads, self.config, documents, current and backlog <= BACKLOG_OK)
        report["index"]["pending"] = backlog
        if current:
            report["index"].update(engine=index.engine, bytes=index.size_on_disk())
        else:
            report["index"].update(engine=self.config.search.engine, bytes=0)
        report["gaps"] = [gap.as_json() for gap in find_gaps(reads, self.config)]
        count, size = reads.fulltext_usage()
        report["fulltext"] = {"count": count, "bytes": size, "max_bytes": self.config.fulltext.max_bytes}
        return report

    def gaps(self, now: datetime | None = None) -> list[Gap]:
        """What kb may have missed: announcement days, searches left incomplete, sources failing for days."""
        return find_gaps(self._store, self.config, now)

    def repair(
        self,
        names: Collection[str] | None = None,
        progress: Progress | None = None,
        now: datetime | None = None,
        starting: Callable[[int, int, Gap], None] | None = None,
    ) -> FetchReport:
        """Refetch what the gaps (of the sources named) cover, under the fetch lock (`kb fetch --repair`);
        ``starting`` is told (number, of how many, gap) as each gap begins."""
        check_source_names(self.config, names)
        self.ensure_synced()  # papers linked from notes are watched for changes
        from kb.fetchers import Fetcher
        from kb.library.sources.repair import repair_gaps, select_gaps

        with self._fetch_lock():
            gaps = select_gaps(self.gaps(now), names)
            self.logger.info("repair start: %d gaps", len(gaps))
            run = FetchRun(self._store, self.config, self.logger, progress, self._index_after_source)
            if gaps:
                with Fetcher(self.config) as fetcher:
                    repair_gaps(fetcher, run, gaps, now, starting)
            report = run.finish()
        self._index_after_fetch(report)
        return report

    def backfill(
        self,
        target: str | None,
        since: date | None,
        until: date | None = None,
        resume: bool = False,
        progress: BackfillProgress | None = None,
    ) -> BackfillReport:
        """Harvest a category's, archive's or group's history from arXiv's OAI-PMH (`kb backfill`).

        ``target`` as a person types it (cs.LG, hep-th, cs, physics:hep-th); None with ``resume`` continues the
        unfinished harvest advanced most recently. The same arguments continue an unfinished harvest.
        UsageError for an unknown category or impossible dates; a page that cannot be had ends the run with
        the harvest incomplete and resumable (the report's ``error``).
        """
        from kb.fetchers.oai import resolve_set
        from kb.library.backfill import run_backfill, starting_state

        if target is None and not resume:
            raise UsageError("kb backfill needs a category, archive or group (e.g. cs.LG, hep-th, cs)")
        wanted = resolve_set(target) if target is not None else None
        state, resumed = starting_state(self, wanted, since, until, resume)
        return run_backfill(self, state, resumed, progress, self.logger)

    def citations(
        self, text: str, refresh: bool = False, network: bool = True, progress: Callable[[str], None] | None = None
    ) -> PaperCitations | None:
        """A paper's references and citing papers (`kb citations`), fetched from Semantic Scholar first when
        never fetched, stale or ``refresh`` is asked; with ``network=False`` only what is stored (None: nothing)."""
        from kb.library.citations import paper_citations, stored_citations

        if not network:
            return stored_citations(self, text)
        return paper_citations(self, text, refresh, progress)

    def _refresh_citations(self, fetcher: Fetcher, run: FetchRun) -> None:
        """The citations step of `kb fetch` (kb.library.citations): bounded, one log line, never raises."""
        from kb.library.citations import refresh_kept

        try:
            refresh_kept(self, fetcher, store_result=run.on_result)
        except Exception as error:  # citations are extra: a bug there must not fail the fetch
            self.logger.exception("citations step failed: %s", error)

    def _fetch_lock(self) -> FileLock:
        try:
            return fetch_lock(str(self.workspace.fetch_lock))
        except FetchLocked:
            self.logger.info("fetch: another fetch holds the lock; standing down")
            raise

    def _index_after_source(self, report: FetchReport) -> None:
        """After each source is stored: its items become searchable now, not only at the end of the run."""
        if report.index_error is None:  # once failing, the index is left alone until the run's end
            self._index_after_fetch(report)

    def _index_after_fetch(self, report: FetchReport) -> None:
        # The store is the record: an index failure is reported, never allowed to undo what was stored; the
        # queue keeps the changes for the next command.
        try:
            self.catch_up_index()
        except Exception as error:  # the index is a cache
            report.index_error = f"index not updated ({error}); the next kb command retries"
            self.logger.exception("index update after fetch failed")
        else:
            report.index_error = None
