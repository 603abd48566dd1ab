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
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from whoosh import index as wix

from kb.errors import KbError, UsageError
from kb.index import layout, results
from kb.index.bulk import bulk_writer
from kb.index.codec import KbCodec
from kb.index.compile import compile_query
from kb.index.layout import Pointer
from kb.index.parallel import write_all
from kb.index.ranking import KbWeighting
from kb.index.schema import SCHEMA_VERSION, build_schema, to_fields
from kb.models import IndexDoc, SearchResult

_RETRIES = 5  # opening can race with a commit deleting the files it just listed


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
        with self._lock:
            if not self._attach():
                try:
                    self.root.mkdir(parents=True, exist_ok=True)
                    with layout.write_lock(self.root, timeout=min(lock_timeout, 2.0)):
                        self._repair()
                except (KbError, OSError):
                    pass  # another process is writing, or the folder is read-only: look again on use
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
                searcher = ix.searcher(weighting=KbWeighting())
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

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold this object's lock and the index's write lock; a failing disk becomes one KbError."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            # The index's lock first: waiting for another process must not block this one's searches.
            with layout.write_lock(self.root, self.lock_timeout), self._lock:
                yield
        except OSError as exc:
            raise KbError(
                f"cannot write the search index in {self.root}: {exc.strerror or exc}",
                hint="check free disk space and the folder's permissions",
            ) from exc

    def update(self, docs: Sequence[IndexDoc]) -> None:
        """Add the documents, replacing any with the same id, in one commit (the last of a repeated id wins)."""
        if not docs:
            return
        with self._writing():
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
        with self._writing():
            ix = self._writable()
            writer = ix.writer(timeout=5.0, codec=KbCodec())  # kb's codec: segment names of its own
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
        with self._writing():
            gen = layout.new_generation(self.root)
            gen_dir = self.root / gen
            try:
                gen_dir.mkdir()
                ix = wix.create_in(str(gen_dir), build_schema())
                written = write_all(ix, batches, progress, self.procs)
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
                hits, total = results.run(searcher, compiled, limit, sort == "date" or not compiled.scored, marks)
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
                    self._searcher = self._ix.searcher(weighting=KbWeighting())
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


def _damaged(root: Path, exc: Exception) -> KbError:
    return KbError(
        f"the search index in {root} cannot be read ({type(exc).__name__}: {exc})",
        hint="run `kb reindex` to rebuild it",
    )
