"""The Library: one object that the CLI, the TUI and the tests build with ``Library.open(root)``.

It owns the workspace's store and index (opened when first needed, so `kb list` never loads Whoosh and
`kb search` never loads the network stack) and offers the use cases: fetch, triage, search, notes.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from filelock import FileLock

from kb.config import Config, MuteRule, load_config
from kb.errors import FetchLocked, NotFound, UsageError
from kb.library.documents import item_document
from kb.library.fetching import FetchReport, FetchRun, Progress, check_source_names, fetch_lock
from kb.library.indexlag import forget, index_lag, orphaned
from kb.library.logs import run_logger
from kb.library.notebook import NotesMixin
from kb.library.sources.gaps import Gap, find_gaps
from kb.library.sources.health import SourceHealth, all_health, due_sources, status_report
from kb.models import FetchRunSummary, IndexDoc, Item, ItemFilter, Note, SearchResult, Status, parse_arxiv_id
from kb.paths import Workspace, find_workspace
from kb.store import Store

if TYPE_CHECKING:
    from kb.index import SearchIndex
    from kb.library.backfill import BackfillReport
    from kb.library.backfill import Progress as BackfillProgress
    from kb.library.formats.digest import Digest


class Library(NotesMixin):
    """A workspace's knowledge base. Build it with :meth:`open`; close it (or use ``with``) when done."""

    def __init__(self, workspace: Workspace, config: Config) -> None:
        self.workspace = workspace
        self.config = config
        self._opened_store: Store | None = None
        self._opened_index: SearchIndex | None = None
        self._synced = False  # notes/ scanned by this library yet
        self.logger = run_logger(workspace.log)

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
            self._opened_store = Store.open(self.workspace.database)
        return self._opened_store

    @property
    def _index(self) -> SearchIndex:
        """The search index, rebuilt first if it is missing, of an older schema or damaged."""
        if self._opened_index is None:
            from kb.index import SearchIndex

            self._opened_index = SearchIndex.open(self.workspace.index)
            if self._opened_index.needs_rebuild or orphaned(self.workspace.state):  # missing, old, or a writer crashed
                self.logger.info("index missing or out of date: rebuilding")
                self.reindex()
        return self._opened_index

    def close(self) -> None:
        if self._opened_index is not None:
            self._opened_index.close()
            self._opened_index = None
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

    # --- end of the reads ----------------------------------------------------------------------------

    def list_items(self, flt: ItemFilter) -> list[Item]:
        return self._store.list_items(flt)

    def rank(self, items: Sequence[Item]) -> list[tuple[Item, float, str]]:
        """``items`` ordered for you, best first: (item, score 0..1, why), learned from your triage (ranking.py)."""
        from kb.library.ranking.inbox import rank_inbox

        return rank_inbox(self, items)

    # --- triage: stored at once, and the index told at once so status:/is:starred/tag: agree -------

    def set_status(self, item_id: str, status: Status) -> Item:
        return self._triage(lambda: self._store.set_status(item_id, status))

    def set_starred(self, item_id: str, starred: bool) -> Item:
        return self._triage(lambda: self._store.set_starred(item_id, starred))

    def set_tags(self, item_id: str, tags: Sequence[str]) -> Item:
        return self._triage(lambda: self._store.set_tags(item_id, tags))

    def _triage(self, change: Callable[[], Item]) -> Item:
        # A marker held from the store write to the index update: killed in between, the next command rebuilds.
        with index_lag(self.workspace.state):
            item = change()
            self.index_items([item.id])
        return item

    # --- search -----------------------------------------------------------------------------------

    def search(
        self, query: str, limit: int = 20, sort: str = "relevance", marks: tuple[str, str] = ("«", "»")
    ) -> SearchResult:
        """Search papers, posts and notes. Raises QueryError for a query that cannot be parsed."""
        self.ensure_synced()
        return self._index.search(query, limit=limit, sort=sort, marks=marks)

    def index_items(self, ids: Collection[str]) -> None:
        """Bring the index up to date for these stored items."""
        if not ids:
            return
        noted = self._store.papers_with_notes()
        docs = [item_document(item, noted) for item in self._store.get_items(list(ids))]
        self._index.update(docs)

    def reindex(self, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the index from the store (and notes/): the index is a cache."""
        from kb.index import SearchIndex

        if self._opened_index is None:
            self._opened_index = SearchIndex.open(self.workspace.index)
        stale = orphaned(self.workspace.state)  # what crashed writers left: repaired by this rebuild
        written = self._opened_index.rebuild(self._all_documents(), progress)
        forget(stale)
        self.logger.info("reindex: %d documents", written)
        return written

    def _all_documents(self) -> Iterable[Sequence[IndexDoc]]:
        yield from self.all_note_documents()  # first: it refreshes the note cache that has_note reads
        self._synced = True
        noted = self._store.papers_with_notes()
        for batch in self._store.iter_items():
            yield [item_document(item, noted) for item in batch]

    # --- fetch ------------------------------------------------------------------------------------

    def fetch(self, names: Collection[str] | None = None, progress: Progress | None = None) -> FetchReport:
        """Fetch every source (or those named) into the store and the index, under the fetch lock."""
        check_source_names(self.config, names)
        self.ensure_synced()  # notes may link papers kb has not seen: this fetch fetches them
        from kb.fetchers import Fetcher

        with self._fetch_lock():
            self.logger.info("fetch start sources=%s", ",".join(names) if names else "all")
            run = FetchRun(self._store, self.config, self.logger, progress)
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
            report = run.finish()
        self._index_after_fetch(report)
        return report

    def add(self, texts: Sequence[str], progress: Progress | None = None) -> FetchReport:
        """Fetch the given papers by id (`kb add`)."""
        ids = []
        for text in texts:
            arxiv_id = parse_arxiv_id(text)
            if arxiv_id is None:
                raise UsageError(f"'{text}' is not an arXiv id or URL", hint="e.g. 1706.03762 or arxiv.org/abs/...")
            ids.append(arxiv_id.id)
        from kb.fetchers import Fetcher

        with self._fetch_lock():
            run = FetchRun(self._store, self.config, self.logger, progress)
            with Fetcher(self.config) as fetcher:
                run.on_result(fetcher.fetch_ids(ids, source="kb add"))
            report = run.finish()
        self._index_after_fetch(report)
        return report

    def status(self) -> dict[str, object]:
        """The last runs, failing and incomplete sources, and the index's health (`kb status`)."""
        from kb.index import SearchIndex

        index = SearchIndex.open(self.workspace.index)
        try:
            documents = None if index.needs_rebuild else index.doc_count()
            # A marker left by a killed writer means the index may miss what it stored.
            healthy = not index.needs_rebuild and not orphaned(self.workspace.state)
            report = status_report(self._store, self.config, documents, healthy)
        finally:
            index.close()
        report["gaps"] = [gap.as_json() for gap in self.gaps()]
        return report

    def gaps(self, now: datetime | None = None) -> list[Gap]:
        """What kb may have missed: announcement days, searches left incomplete, sources failing for days."""
        return find_gaps(self._store, self.config, now)

    def repair(
        self, names: Collection[str] | None = None, progress: Progress | None = None, now: datetime | None = None
    ) -> FetchReport:
        """Refetch what the gaps (of the sources named) cover, under the fetch lock (`kb fetch --repair`)."""
        check_source_names(self.config, names)
        self.ensure_synced()  # papers linked from notes are watched for changes
        from kb.fetchers import Fetcher
        from kb.library.sources.repair import repair_gaps, select_gaps

        with self._fetch_lock():
            gaps = select_gaps(self.gaps(now), names)
            self.logger.info("repair start: %d gaps", len(gaps))
            run = FetchRun(self._store, self.config, self.logger, progress)
            if gaps:
                with Fetcher(self.config) as fetcher:
                    repair_gaps(fetcher, run, gaps, now)
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

    def _fetch_lock(self) -> FileLock:
        try:
            return fetch_lock(str(self.workspace.fetch_lock))
        except FetchLocked:
            self.logger.info("fetch: another fetch holds the lock; standing down")
            raise

    def _index_after_fetch(self, report: FetchReport) -> None:
        # The store is the record: an index failure is reported, never allowed to undo what was stored.
        try:
            self.index_items(report.changed_ids)
            if report.lag:
                report.lag.caught_up()
        except Exception as error:  # the index is a cache; `kb reindex` repairs it
            if report.lag:
                report.lag.give_up()  # the next command that opens the index rebuilds it
            report.index_error = f"index not updated ({error}); run `kb reindex`"
            self.logger.exception("index update after fetch failed")
