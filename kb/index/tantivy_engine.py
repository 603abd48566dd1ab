"""The tantivy engine: one generation folder holding a tantivy index (Rust, memory-mapped segments).

Chosen with ``search: {engine: tantivy}`` in feeds.yaml. Documents arrive analysed by kb
(kb.index.tantivy_schema), queries are built from the same compiler as Whoosh's (kb.index.tantivy_query),
and snippets come from kb's own snippet maker, so what matches, what is marked and what is an error are
the same on both engines. A reader reloads when another process commits (the index's meta.json changes).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import tantivy

from kb.errors import QueryError
from kb.index.compile import Builder, Compiled, IdSets, compile_query
from kb.index.document import Prepared, from_minutes
from kb.index.hits import hit_snippet
from kb.index.tantivy_query import TantivyBuilder
from kb.index.tantivy_schema import build_schema, register_tokenizer, shown, to_document, token
from kb.models import Hit, Kind

_RETRIES = 5
_META = "meta.json"
#: Indexing memory for an update, and for a rebuild (split between its threads), in bytes.
UPDATE_HEAP = 20_000_000
BUILD_HEAP = 256_000_000
_BUILDER: TantivyBuilder | None = None


def _builder() -> TantivyBuilder:
    global _BUILDER
    if _BUILDER is None:
        _BUILDER = TantivyBuilder()
    return _BUILDER


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path / _META)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


class TantivyGeneration:
    """An open tantivy index in one generation folder."""

    name = "tantivy"

    def __init__(self, path: Path, ix: tantivy.Index) -> None:
        self._path = path
        self._ix = ix
        self._stamp = _stamp(path)
        self._searcher: Any = ix.searcher()

    @staticmethod
    def create(path: Path) -> None:
        """An empty index in the (existing, empty) folder ``path``."""
        tantivy.Index(build_schema(), path=str(path), reuse=False)

    @classmethod
    def open(cls, path: Path) -> TantivyGeneration | None:
        """The index in ``path``, or None when it cannot be read."""
        for attempt in range(_RETRIES):
            try:
                ix = tantivy.Index.open(str(path))
                register_tokenizer(ix)
                ix.config_reader(reload_policy="manual")
                generation = cls(path, ix)
                generation.doc_count()
            except Exception:  # any failure to read means "rebuild", never a traceback
                time.sleep(0.02 * (attempt + 1))
                continue
            return generation
        return None

    @staticmethod
    def build(
        path: Path, batches: Iterable[Sequence[Prepared]], progress: Callable[[int], None] | None, procs: int
    ) -> int:
        """Index every document of ``batches`` into a new index in ``path`` in one commit; returns how many."""
        ix = tantivy.Index(build_schema(), path=str(path), reuse=False)
        register_tokenizer(ix)
        writer = ix.writer(heap_size=BUILD_HEAP, num_threads=max(1, procs))
        written = 0
        try:
            for batch in batches:
                for doc in batch:
                    writer.add_document(to_document(doc))
                written += len(batch)
                if progress is not None:
                    progress(written)
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        writer.wait_merging_threads()
        return written

    @staticmethod
    def compile(query: str, id_sets: IdSets | None = None) -> Compiled:
        """Compile ``query`` for this engine (``id_sets``: what store-backed filters select); raises QueryError."""
        try:
            return compile_query(query, _builder(), id_sets)
        except ValueError as exc:  # tantivy refused a query the language allows: say so, never a traceback
            raise QueryError(f"the tantivy engine cannot run this query: {exc}", 0) from None

    def update(self, docs: Sequence[Prepared]) -> None:
        writer = self._ix.writer(heap_size=UPDATE_HEAP, num_threads=1)
        try:
            for doc in docs:
                writer.delete_documents_by_term("id", doc.id)
                writer.add_document(to_document(doc))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        writer.wait_merging_threads()

    def delete(self, ids: Sequence[str]) -> None:
        writer = self._ix.writer(heap_size=UPDATE_HEAP, num_threads=1)
        try:
            for doc_id in ids:
                writer.delete_documents_by_term("id", doc_id)
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        writer.wait_merging_threads()

    def _fresh(self) -> Any:
        stamp = _stamp(self._path)
        if stamp != self._stamp:  # a commit (here or in another process): read the new state
            self._ix.reload()
            self._searcher = self._ix.searcher()
            self._stamp = stamp
        return self._searcher

    @staticmethod
    def builder() -> Builder:
        """The query builder of this engine (kb.index.similar builds its queries with it)."""
        return _builder()

    def search(
        self, compiled: Compiled, limit: int, by_date: bool, marks: tuple[str, str], count: bool = True
    ) -> tuple[list[Hit], int]:
        searcher = self._fresh()
        wanted = max(limit, 1)
        if by_date:
            newest = tantivy.Order.Desc
            found = searcher.search(compiled.query, wanted, count=count, order_by_field="newest", order=newest)
        else:
            # Without count, tantivy may skip blocks that cannot reach the top hits (block-max WAND).
            found = searcher.search(compiled.query, wanted, count=count)
        hits = [self._hit(searcher, score, address, compiled, by_date, marks) for score, address in found.hits[:limit]]
        return hits, int(found.count or 0) if count else len(hits)

    def doc_freq(self, fieldname: str, term: str) -> int:
        """How many documents hold ``term`` (an analysed term) in ``fieldname``."""
        return int(self._fresh().doc_freq(fieldname, token(fieldname, term)))

    def texts(self, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """The stored title and text of each of ``ids`` the index holds."""
        searcher = self._fresh()
        out: dict[str, tuple[str, str]] = {}
        for doc_id in ids:
            found = searcher.search(tantivy.Query.term_query(build_schema(), "id", doc_id), 1, count=False)
            for _score, address in found.hits:
                doc = searcher.doc(address)
                out[doc_id] = (shown(doc, "title"), shown(doc, "text"))
        return out

    @staticmethod
    def _hit(searcher: Any, score: Any, address: Any, compiled: Compiled, by_date: bool, marks: tuple[str, str]) -> Hit:
        doc = searcher.doc(address)
        kind = Kind(doc.get_first("kind"))
        published = doc.get_first("pub")
        snippet, section = hit_snippet(shown(doc, "text"), kind, compiled, marks, lambda: doc.get_first("sections"))
        return Hit(
            id=doc.get_first("id"),
            kind=kind,
            title=shown(doc, "title"),
            score=0.0 if by_date else float(score),
            snippet=snippet,
            published=from_minutes(published) if published is not None else None,
            section=section,
        )

    def doc_count(self) -> int:
        return int(self._fresh().num_docs)

    def ids(self) -> set[str]:
        searcher = self._fresh()
        total = searcher.num_docs
        if total == 0:
            return set()
        found = searcher.search(tantivy.Query.all_query(), total, count=False)
        return {searcher.doc(address).get_first("id") for _, address in found.hits}

    def segments(self) -> int:
        """How many segments the index has (for tests and benchmarks)."""
        return int(self._fresh().num_segments)

    def close(self) -> None:
        self._searcher = None
