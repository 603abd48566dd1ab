"""The Whoosh engine: one generation folder holding a Whoosh index (pure Python, the default).

Readers always see the last committed state: a cached searcher is replaced when ``up_to_date()`` says a
commit happened (never ``Searcher.refresh()``, which returns stale or duplicated documents in
whoosh-reloaded 2.7.5).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from whoosh import index as wix
from whoosh.filedb.filestore import FileStorage

from kb.index import results
from kb.index.bulk import bulk_writer
from kb.index.codec import KbCodec
from kb.index.compile import Builder, Compiled, IdSets, compile_query
from kb.index.document import Prepared
from kb.index.parallel import write_all
from kb.index.ranking import KbWeighting
from kb.index.schema import build_schema, to_fields
from kb.index.whoosh_query import WHOOSH
from kb.models import Hit

_RETRIES = 5  # opening can race with a commit deleting the files it just listed


class WhooshGeneration:
    """An open Whoosh index in one generation folder."""

    name = "whoosh"

    def __init__(self, ix: Any) -> None:
        self._ix = ix
        self._searcher: Any = None  # opened by the first search (kb status only counts)

    @staticmethod
    def create(path: Path) -> None:
        """An empty index in the (existing, empty) folder ``path``."""
        wix.create_in(str(path), build_schema())

    @classmethod
    def open(cls, path: Path) -> WhooshGeneration | None:
        """The index in ``path``, or None when it cannot be read (retried: a commit may be deleting files)."""
        for attempt in range(_RETRIES):
            try:
                # No memory maps: Whoosh's BufferFile copies every mapped file into memory (BytesIO(memoryview)),
                # so a search process held the whole index in RAM (3.5 GB at 1M papers). Plain reads answer the
                # same queries in ~6% of the memory, and no slower (docs/performance.md, "A million papers").
                storage = FileStorage(str(path), supports_mmap=False)
                ix = storage.open_index()
                _check_segments(storage, ix._segments())
            except Exception:  # any failure to read means "rebuild", never a traceback
                time.sleep(0.02 * (attempt + 1))
                continue
            return cls(ix)
        return None

    @staticmethod
    def build(
        path: Path, batches: Iterable[Sequence[Prepared]], progress: Callable[[int], None] | None, procs: int
    ) -> int:
        """Index every document of ``batches`` into a new index in ``path`` in one commit; returns how many."""
        ix = wix.create_in(str(path), build_schema())
        return write_all(ix, batches, progress, procs)

    @staticmethod
    def compile(query: str, id_sets: IdSets | None = None) -> Compiled:
        """Compile ``query`` for this engine (``id_sets``: what store-backed filters select); raises QueryError."""
        return compile_query(query, WHOOSH, id_sets)

    def update(self, docs: Sequence[Prepared]) -> None:
        writer = bulk_writer(self._ix, timeout=5.0, limitmb=64)
        try:
            for doc in docs:
                writer.update_document(**to_fields(doc))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise

    def delete(self, ids: Sequence[str]) -> None:
        writer = self._ix.writer(timeout=5.0, codec=KbCodec())  # kb's codec: segment names of its own
        try:
            for doc_id in ids:
                writer.delete_by_term("id", doc_id)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise

    @staticmethod
    def builder() -> Builder:
        """The query builder of this engine (kb.index.similar builds its queries with it)."""
        return WHOOSH

    def search(
        self, compiled: Compiled, limit: int, by_date: bool, marks: tuple[str, str], count: bool = True
    ) -> tuple[list[Hit], int]:
        return results.run(self._fresh(), compiled, limit, by_date, marks, count)

    def doc_freq(self, fieldname: str, term: str) -> int:
        """How many documents hold ``term`` (an analysed term) in ``fieldname``."""
        return int(self._fresh().doc_frequency(fieldname, term))

    def texts(self, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """The stored title and text of each of ``ids`` the index holds."""
        searcher = self._fresh()
        out: dict[str, tuple[str, str]] = {}
        for doc_id in ids:
            stored = searcher.document(id=doc_id)
            if stored is not None:
                out[doc_id] = (stored.get("title", ""), stored.get("text", ""))
        return out

    def _fresh(self) -> Any:
        if self._searcher is not None and not self._searcher.up_to_date():
            self._searcher.close()  # a commit happened: open anew (never Searcher.refresh())
            self._searcher = None
        if self._searcher is None:
            for attempt in range(_RETRIES):
                try:
                    self._searcher = self._ix.searcher(weighting=KbWeighting())
                    break
                except Exception:
                    if attempt == _RETRIES - 1:
                        raise
                    time.sleep(0.02 * (attempt + 1))
        return self._searcher

    def doc_count(self) -> int:
        """From the table of contents (each segment's count less its deletions): no reader is opened."""
        return sum(int(segment.doc_count()) for segment in self._ix._segments())

    def ids(self) -> set[str]:
        reader = self._fresh().reader()
        if reader.doc_count() == 0:
            return set()
        column = reader.column_reader("id")
        return {column[docnum] for docnum in reader.all_doc_ids()}

    def segments(self) -> int:
        """How many segments the index has (for tests and benchmarks)."""
        return len(self._ix._segments())

    def close(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):
                self._searcher.close()
        self._searcher = None


def _check_segments(storage: Any, segments: Sequence[Any]) -> None:
    """Raise if a segment's file cannot be read: its directory (at the end of the compound file) is read, the
    postings are not, so opening stays cheap at any size (a searcher is opened by the first search)."""
    for segment in segments:
        if segment.is_compound():
            segment.open_compound_file(storage).close()
        elif not segment.list_files(storage):
            raise FileNotFoundError(f"segment {segment.segment_id()} has no files")
