"""SearchIndex: the full-text index of papers, posts and notes, safe to share between processes.

Several kb processes (an open TUI, a cron fetch, a reindex) may write at once: they take turns on the
index's write lock, waiting rather than failing. Readers always see the last committed state, and the
index is reopened when a rebuild swapped in a new generation (see kb.index.layout).

The engine (kb.index.engines: Whoosh or tantivy) is chosen by whoever opens the index; an index written
by another engine, or of another schema version, is reported as needing a rebuild and never searched.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from kb.errors import KbError, UsageError
from kb.index import layout, mentions
from kb.index.compile import IdSets
from kb.index.document import Prepared, prepare
from kb.index.engines import DEFAULT_ENGINE, ENGINES, Engine, Generation, engine
from kb.index.layout import Pointer
from kb.index.schema import SCHEMA_VERSIONS
from kb.index.similar import key_terms, shared_terms, similar_query
from kb.models import IndexDoc, SearchResult, SimilarHit, SimilarResult

_UNDATED = datetime.min.replace(tzinfo=UTC)


class SearchIndex:
    """The search index in one folder. Use :meth:`open`; close it (or use ``with``) when done."""

    def __init__(self, root: Path, lock_timeout: float, procs: int, engine_name: str) -> None:
        self.root = root
        self.lock_timeout = lock_timeout
        self.procs = procs
        self.engine = engine_name
        self._engine: Engine = engine(engine_name)
        self._lock = threading.RLock()
        self._gen: Generation | None = None
        self._pointer: Pointer | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._in_use: IO[Any] | None = None
        self._broken = False

    # --- opening --------------------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: Path, *, lock_timeout: float = 600.0, procs: int = 2, engine: str = DEFAULT_ENGINE
    ) -> SearchIndex:
        """Open the index at ``path`` with ``engine`` (one of ENGINES), creating an empty one when it is
        missing, old, of another engine or unreadable.

        Never raises for the index's state: ``needs_rebuild`` says whether a rebuild is due. Generations
        left by a killed or quit rebuild are removed here. ``lock_timeout`` bounds how long writes wait
        for another process; ``procs`` (1 or 2) is how many processes or threads a rebuild may use.
        """
        if engine not in ENGINES:
            raise UsageError(f"unknown search engine '{engine}': use one of {', '.join(ENGINES)}")
        self = cls(Path(path), lock_timeout, max(1, min(2, procs)), engine)
        with self._lock:
            attached = self._attach()
            try:
                self.root.mkdir(parents=True, exist_ok=True)
                if attached or self._other_engine():
                    self._clean_up()
                else:
                    with layout.write_lock(self.root, timeout=min(lock_timeout, 2.0)):
                        self._repair()
            except (KbError, OSError):
                pass  # another process is writing, or the folder is read-only: look again on use
        return self

    @property
    def needs_rebuild(self) -> bool:
        """True when the index is missing, of another schema version or engine, damaged, or never fully built."""
        with self._lock:
            self._sync()
            return self._gen is None or self._broken or self._pointer is None or not self._pointer.built

    def _other_engine(self) -> bool:
        """The pointer names a current index of the other engine: kept (and searched by nobody here) until a
        rebuild for this engine replaces it, so that opening alone (`kb status`) never drops a good index."""
        pointer = self._pointer
        return (
            pointer is not None
            and pointer.engine != self.engine
            and pointer.schema == SCHEMA_VERSIONS.get(pointer.engine)
        )

    def _usable(self, pointer: Pointer | None) -> bool:
        return pointer is not None and pointer.engine == self.engine and pointer.schema == SCHEMA_VERSIONS[self.engine]

    def _attach(self) -> bool:
        """Open the generation the pointer names; False when there is none usable."""
        self._detach()
        self._stamp = layout.pointer_stamp(self.root)
        pointer = layout.read_pointer(self.root)
        self._pointer = pointer
        if pointer is None or not self._usable(pointer):
            return False
        gen_dir = self.root / pointer.generation
        gen = self._engine.open(gen_dir)
        if gen is None:
            return False
        self._gen = gen
        self._in_use = layout.hold_in_use(gen_dir)
        return True

    def _detach(self) -> None:
        if self._gen is not None:
            with contextlib.suppress(Exception):
                self._gen.close()
        self._gen = None
        self._broken = False
        if self._in_use is not None:
            self._in_use.close()
            self._in_use = None

    def _repair(self) -> None:
        """With the write lock held: attach, or replace what cannot be read by a fresh empty index."""
        if self._attach():
            self._tidy()
            return
        gen = layout.new_generation(self.root)
        (self.root / gen).mkdir()
        self._engine.create(self.root / gen)
        layout.write_pointer(self.root, Pointer(SCHEMA_VERSIONS[self.engine], gen, built=False, engine=self.engine))
        self._attach()
        layout.remove_unused(self.root, keep=gen)

    def _clean_up(self) -> None:
        """Remove generations a killed or quit rebuild left behind, unless another process is writing."""
        if self._pointer is None or len(layout.generations(self.root)) <= 1:
            return
        with layout.try_write_lock(self.root) as got:
            if got:
                self._tidy()

    def _sync(self) -> None:
        """Follow the pointer when another process rebuilt or re-created the index."""
        if layout.pointer_stamp(self.root) != self._stamp or (self._gen is None and self._stamp is None):
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
        prepared = {p.id: p for p in map(prepare, docs) if p is not None}
        if not prepared:
            return
        with self._writing():
            self._writable().update(list(prepared.values()))
            self._tidy()

    def delete(self, ids: Collection[str]) -> None:
        """Remove the documents with these ids (unknown ids are ignored), in one commit."""
        if not ids:
            return
        with self._writing():
            self._writable().delete(list(ids))
            self._tidy()

    def _tidy(self) -> None:
        # With the write lock held: drop generations left by old rebuilds (or a killed one).
        if self._pointer is not None:
            layout.remove_unused(self.root, keep=self._pointer.generation)

    def _writable(self) -> Generation:
        self._sync()
        if self._gen is None or self._broken:
            self._repair()
        if self._gen is None:
            raise KbError(f"cannot create the search index in {self.root}", hint="check the folder's permissions")
        return self._gen

    def rebuild(self, batches: Iterable[Sequence[IndexDoc]], progress: Callable[[int], None] | None = None) -> int:
        """Index everything anew into a fresh generation and swap it in; returns the documents written.

        The old index stays in use until the swap, so a rebuild killed at any moment leaves it intact
        (and the next open removes the half-built one). Writers in other processes wait for the rebuild,
        then write to the new index. A document id given twice is indexed once (the first time).
        """
        with self._writing():
            self._tidy()  # whatever earlier rebuilds left, before this one adds its own
            gen = layout.new_generation(self.root)
            gen_dir = self.root / gen
            try:
                gen_dir.mkdir()
                written = self._engine.build(gen_dir, _prepared(batches), progress, self.procs)
                layout.write_pointer(
                    self.root, Pointer(SCHEMA_VERSIONS[self.engine], gen, built=True, engine=self.engine)
                )
            except BaseException:
                shutil.rmtree(gen_dir, ignore_errors=True)
                raise
            self._attach()
            layout.remove_unused(self.root, keep=gen)
            return written

    # --- reading --------------------------------------------------------------------------------

    def search(
        self,
        query: str,
        limit: int = 20,
        sort: str = "relevance",
        marks: tuple[str, str] = ("«", "»"),
        id_sets: IdSets | None = None,
    ) -> SearchResult:
        """Run ``query`` (see QUERY_HELP); hits best first (the papers your posts and notes mention lifted a
        little: kb.index.mentions), or newest first with ``sort="date"``.

        Raises QueryError for a query that cannot be parsed (or that this engine cannot run);
        ``total`` counts every match. ``id_sets`` are the ids store-backed filters select (``cites:``,
        ``citedby:``; kb.index.compile.store_filters names what a query needs).
        """
        if sort not in ("relevance", "date"):
            raise UsageError(f"unknown sort '{sort}': use relevance or date")
        started = time.perf_counter()
        with self._lock:
            self._sync()
            compiled = self._engine.compile(query, id_sets)  # a bad query is an error even on an empty index
            gen = self._gen
            if gen is None:
                return SearchResult(query=query, elapsed=time.perf_counter() - started)
            by_date = sort == "date" or not compiled.scored
            try:
                if by_date or limit <= 0:
                    hits, total = gen.search(compiled, limit, by_date, marks)
                else:  # the same window for every limit: the first of --limit 1 is the first of --limit 50
                    hits, total = gen.search(compiled, max(limit, mentions.WINDOW), by_date, marks)
                    hits = mentions.lifted(hits, gen, self._engine.builder())[:limit]
            except Exception as exc:
                self._broken = True
                raise _damaged(self.root, exc) from exc
        if by_date:  # the same date on several hits: by id, so that every engine gives one order
            hits.sort(key=lambda hit: hit.id)
            hits.sort(key=lambda hit: hit.published or _UNDATED, reverse=True)
        return SearchResult(query=query, hits=tuple(hits), total=total, elapsed=time.perf_counter() - started)

    def similar(
        self,
        sources: Sequence[IndexDoc],
        exclude: Collection[str],
        kind: str | None = None,
        limit: int = 10,
        marks: tuple[str, str] = ("«", "»"),
    ) -> SimilarResult:
        """The documents most like ``sources`` taken together (kb.index.similar), best first, without the
        ids in ``exclude``, of one kind when ``kind`` is given; each with the key terms it shares."""
        started = time.perf_counter()
        with self._lock:
            self._sync()
            gen = self._gen
            if gen is None:
                return SimilarResult()
            try:
                prepared = [p for p in map(prepare, sources) if p is not None]
                terms = key_terms(prepared, gen.doc_freq, gen.doc_count())
                if not terms:
                    return SimilarResult(elapsed=time.perf_counter() - started)
                compiled = similar_query(self._engine.builder(), terms, exclude, kind)
                hits, _count = gen.search(compiled, limit, False, marks, count=False)
                texts = gen.texts([hit.id for hit in hits])
            except Exception as exc:
                self._broken = True
                raise _damaged(self.root, exc) from exc
        found = tuple(SimilarHit(hit, shared_terms(terms, texts.get(hit.id, ("", "")))) for hit in hits)
        words = tuple(key.word for key in terms)
        return SimilarResult(terms=words, hits=found, elapsed=time.perf_counter() - started)

    def _reading(self) -> Generation | None:
        self._sync()
        return self._gen

    def doc_count(self) -> int:
        """How many documents the index holds."""
        with self._lock:
            gen = self._reading()
            return 0 if gen is None else gen.doc_count()

    def ids(self) -> set[str]:
        """Every id in the index."""
        with self._lock:
            gen = self._reading()
            return set() if gen is None else gen.ids()

    def segments(self) -> int:
        """How many segments the live generation has (for tests and benchmarks)."""
        with self._lock:
            gen = self._reading()
            return 0 if gen is None else gen.segments()

    def size_on_disk(self) -> int:
        """Bytes the live generation takes on disk (0 when there is none)."""
        with self._lock:
            self._sync()
            if self._pointer is None:
                return 0
            return layout.size_on_disk(self.root, self._pointer.generation)

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


def _prepared(batches: Iterable[Sequence[IndexDoc]]) -> Iterator[list[Prepared]]:
    """The batches as prepared documents, each id once (the first time it comes)."""
    seen: set[str] = set()
    for batch in batches:
        out = []
        for doc in batch:
            if doc.id in seen:
                continue
            seen.add(doc.id)
            prepared = prepare(doc)
            if prepared is not None:
                out.append(prepared)
        yield out


def _damaged(root: Path, exc: Exception) -> KbError:
    return KbError(
        f"the search index in {root} cannot be read ({type(exc).__name__}: {exc})",
        hint="run `kb reindex` to rebuild it",
    )
