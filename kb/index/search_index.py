"""SearchIndex: the full-text index of papers, posts and notes, safe to share between processes.

Several kb processes (an open TUI, a cron fetch, a reindex) may write at once: they take turns on the
index's write lock, waiting rather than failing. Readers always see the last committed state: a cached
searcher is replaced when ``up_to_date()`` says a commit happened (never ``Searcher.refresh()``, which
returns stale or duplicated documents in whoosh-reloaded 2.7.5) and the index is reopened when a rebuild
swapped in a new generation (see kb.index.layout).
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from whoosh import index as wix
from whoosh.scoring import BM25F

from kb.errors import KbError, UsageError
from kb.index import docsets, layout
from kb.index.bulk import bulk_writer
from kb.index.compile import compile_query
from kb.index.layout import Pointer
from kb.index.parallel import PairWriter, can_fork
from kb.index.schema import SCHEMA_VERSION, build_schema, from_minutes, to_fields
from kb.index.snippets import make_snippet
from kb.models import Hit, IndexDoc, Kind, SearchResult

_RETRIES = 5  # opening can race with a commit deleting the files it just listed
_LIMITMB = 256


class SearchIndex:
    """The search index in one folder. Use :meth:`open`; close it (or use ``with``) when done."""

    def __init__(self, root: Path, lock_timeout: float, procs: int) -> None:
        self.root = root
        self.lock_timeout = lock_timeout
        self.procs = procs
        self._lock = threading.RLock()
        self._ix: Any = None
        self._pointer: Pointer | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._searcher: Any = None
        self._in_use: IO[Any] | None = None
        self._broken = False

    # --- opening --------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, lock_timeout: float = 600.0, procs: int = 2) -> SearchIndex:
        """Open the index at ``path``, creating an empty one when it is missing, old or unreadable.

        Never raises for the index's state: ``needs_rebuild`` says whether a rebuild is due.
        ``lock_timeout`` bounds how long writes wait for another process; ``procs`` (1 or 2) is how many
        processes a rebuild may use.
        """
        self = cls(Path(path), lock_timeout, max(1, min(2, procs)))
        self.root.mkdir(parents=True, exist_ok=True)
        with self._lock:
            if not self._attach():
                try:
                    with layout.write_lock(self.root, timeout=min(lock_timeout, 2.0)):
                        self._repair()
                except KbError:
                    pass  # another process is writing (creating or rebuilding): look again on use
        return self

    @property
    def needs_rebuild(self) -> bool:
        """True when the index is missing, of another schema version, damaged, or never fully built."""
        with self._lock:
            self._sync()
            return self._ix is None or self._broken or self._pointer is None or not self._pointer.built

    def _attach(self) -> bool:
        """Open the generation the pointer names; False when there is none usable."""
        self._detach()
        self._stamp = layout.pointer_stamp(self.root)
        pointer = layout.read_pointer(self.root)
        self._pointer = pointer
        if pointer is None or pointer.schema != SCHEMA_VERSION:
            return False
        gen_dir = self.root / pointer.generation
        for attempt in range(_RETRIES):
            try:
                ix = wix.open_dir(str(gen_dir))
                # A searcher opens every segment's files: what cannot be read shows now, not mid-search.
                searcher = ix.searcher(weighting=BM25F())
                searcher.doc_count()
            except Exception:  # any failure to read means "rebuild", never a traceback
                time.sleep(0.02 * (attempt + 1))
                continue
            self._ix = ix
            self._searcher = searcher
            self._in_use = layout.hold_in_use(gen_dir)
            return True
        return False

    def _detach(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):
                self._searcher.close()
        self._searcher = None
        self._ix = None
        self._broken = False
        if self._in_use is not None:
            self._in_use.close()
            self._in_use = None

    def _repair(self) -> None:
        """With the write lock held: attach, or replace what cannot be read by a fresh empty index."""
        if self._attach():
            return
        gen = layout.new_generation(self.root)
        (self.root / gen).mkdir()
        wix.create_in(str(self.root / gen), build_schema())
        layout.write_pointer(self.root, Pointer(SCHEMA_VERSION, gen, built=False))
        self._attach()
        layout.remove_unused(self.root, keep=gen)

    def _sync(self) -> None:
        """Follow the pointer when another process rebuilt or re-created the index."""
        if layout.pointer_stamp(self.root) != self._stamp or (self._ix is None and self._stamp is None):
            self._attach()

    # --- writing --------------------------------------------------------------------------------

    def update(self, docs: Sequence[IndexDoc]) -> None:
        """Add the documents, replacing any with the same id, in one commit (the last of a repeated id wins)."""
        if not docs:
            return
        with self._lock, layout.write_lock(self.root, self.lock_timeout):
            ix = self._writable()
            writer = bulk_writer(ix, timeout=5.0, limitmb=64)
            try:
                # One id twice in a batch would be indexed twice (Whoosh replaces only committed documents).
                for doc in {doc.id: doc for doc in docs}.values():
                    writer.update_document(**to_fields(doc))
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            self._tidy()

    def delete(self, ids: Sequence[str]) -> None:
        """Remove the documents with these ids (unknown ids are ignored), in one commit."""
        if not ids:
            return
        with self._lock, layout.write_lock(self.root, self.lock_timeout):
            ix = self._writable()
            writer = ix.writer(timeout=5.0)
            try:
                for doc_id in ids:
                    writer.delete_by_term("id", doc_id)
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            self._tidy()

    def _tidy(self) -> None:
        # With the write lock held: drop generations left by old rebuilds (or a killed one).
        if self._pointer is not None:
            layout.remove_unused(self.root, keep=self._pointer.generation)

    def _writable(self) -> Any:
        self._sync()
        if self._ix is None or self._broken:
            self._repair()
        if self._ix is None:
            raise KbError(f"cannot create the search index in {self.root}", hint="check the folder's permissions")
        return self._ix

    def rebuild(self, batches: Iterable[Sequence[IndexDoc]], progress: Callable[[int], None] | None = None) -> int:
        """Index everything anew into a fresh generation and swap it in; returns the documents written.

        The old index stays in use until the swap, so a rebuild killed at any moment leaves it intact.
        Writers in other processes wait for the rebuild, then write to the new index.
        A document id given twice is indexed once (the first time).
        """
        with self._lock, layout.write_lock(self.root, self.lock_timeout):
            gen = layout.new_generation(self.root)
            gen_dir = self.root / gen
            try:
                gen_dir.mkdir()
                ix = wix.create_in(str(gen_dir), build_schema())
                written = _write_all(ix, batches, progress, self.procs)
                layout.write_pointer(self.root, Pointer(SCHEMA_VERSION, gen, built=True))
            except BaseException:
                shutil.rmtree(gen_dir, ignore_errors=True)
                raise
            self._attach()
            layout.remove_unused(self.root, keep=gen)
            return written

    # --- reading --------------------------------------------------------------------------------

    def search(
        self, query: str, limit: int = 20, sort: str = "relevance", marks: tuple[str, str] = ("«", "»")
    ) -> SearchResult:
        """Run ``query`` (see QUERY_HELP); hits best first, or newest first with ``sort="date"``.

        Raises QueryError for a query that cannot be parsed; ``total`` counts every match.
        """
        if sort not in ("relevance", "date"):
            raise UsageError(f"unknown sort '{sort}': use relevance or date")
        started = time.perf_counter()
        compiled = compile_query(query)
        with self._lock:
            searcher = self._fresh_searcher()
            if searcher is None:
                return SearchResult(query=query, elapsed=time.perf_counter() - started)
            try:
                by_date = sort == "date" or not compiled.scored
                if by_date:
                    results = searcher.search(compiled.query, limit=max(limit, 1), sortedby="newest", reverse=True)
                else:
                    results = searcher.search(compiled.query, limit=max(limit, 1), terms=False)
                total = _total(searcher, compiled.query, results, max(limit, 1))
                hits = []
                for hit in results[: max(limit, 0)]:
                    stored = hit.fields()
                    kind = Kind(stored["kind"])
                    snippet = make_snippet(stored.get("text", ""), compiled.marks, marks, note=kind is Kind.NOTE)
                    published = stored.get("pub")
                    hits.append(
                        Hit(
                            id=stored["id"],
                            kind=kind,
                            title=stored.get("title", ""),
                            score=0.0 if by_date else float(hit.score),
                            snippet=snippet,
                            published=from_minutes(published) if published is not None else None,
                        )
                    )
            except Exception as exc:
                self._broken = True
                raise _damaged(self.root, exc) from exc
        return SearchResult(query=query, hits=tuple(hits), total=total, elapsed=time.perf_counter() - started)

    def _fresh_searcher(self) -> Any:
        self._sync()
        if self._ix is None:
            return None
        if self._searcher is not None and not self._searcher.up_to_date():
            self._searcher.close()  # a commit happened: open anew (never Searcher.refresh())
            self._searcher = None
        if self._searcher is None:
            for attempt in range(_RETRIES):
                try:
                    self._searcher = self._ix.searcher(weighting=BM25F())
                    break
                except Exception as exc:
                    if attempt == _RETRIES - 1:
                        self._broken = True
                        raise _damaged(self.root, exc) from exc
                    time.sleep(0.02 * (attempt + 1))
        return self._searcher

    def doc_count(self) -> int:
        """How many documents the index holds."""
        with self._lock:
            searcher = self._fresh_searcher()
            return 0 if searcher is None else int(searcher.doc_count())

    def ids(self) -> set[str]:
        """Every id in the index."""
        with self._lock:
            searcher = self._fresh_searcher()
            if searcher is None:
                return set()
            reader = searcher.reader()
            if reader.doc_count() == 0:
                return set()
            column = reader.column_reader("id")
            return {column[docnum] for docnum in reader.all_doc_ids()}

    # --- closing --------------------------------------------------------------------------------

    def close(self) -> None:
        """Release the index's files. Safe to call twice."""
        with self._lock:
            self._detach()
            self._stamp = None

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _write_all(
    ix: Any, batches: Iterable[Sequence[IndexDoc]], progress: Callable[[int], None] | None, procs: int
) -> int:
    # Two processes only where forking is safe (one thread); a TUI's worker thread indexes alone.
    parallel = procs > 1 and can_fork()
    writer = PairWriter(ix, limitmb=_LIMITMB) if parallel else bulk_writer(ix, limitmb=_LIMITMB)
    seen: set[str] = set()
    try:
        for batch in batches:
            for doc in batch:
                if doc.id not in seen:
                    seen.add(doc.id)
                    writer.add_document(**to_fields(doc))
            if progress is not None:
                progress(len(seen))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return len(seen)


def _total(searcher: Any, q: Any, results: Any, limit: int) -> int:
    """Every match: known when the collector saw them all, else counted with sets (not a second walk)."""
    if results.has_exact_length():
        return len(results)
    if results.scored_length() < limit:
        return int(results.scored_length())  # no block was skipped: nothing scored below a full top-N
    return docsets.count(searcher, q)


def _damaged(root: Path, exc: Exception) -> KbError:
    return KbError(
        f"the search index in {root} cannot be read ({type(exc).__name__}: {exc})",
        hint="run `kb reindex` to rebuild it",
    )
