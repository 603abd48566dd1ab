"""Writer settings that make Whoosh's segment writing faster, without changing what it writes.

Profiling a 100k rebuild showed two costs that are not indexing at all:

- the posting pool spills sorted runs to disk with one ``pickle.dump`` per posting and reads them back
  with one ``pickle.load`` per posting: here runs are pickled in chunks of 10,000 postings (and adding
  a posting skips Whoosh's per-posting type assertions);
- writing the postings looks up the document's field length once per posting, through a seek and read
  of the length column: here each length column is read once into a list.

Segments record kb.index.codec.KbCodec, which writes and reads exactly W3's files.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from typing import IO, Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Segment
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

from kb.index.codec import KbCodec, fresh_segment

_CHUNK = 10_000
_DECODE = [byte_to_length(b) if b else 0 for b in range(256)]


class ChunkedPool(PostingPool):
    """Whoosh's posting pool, writing and reading its sorted runs in chunks."""

    def add(self, item: Any) -> None:
        # item = (fieldname, term bytes, docnum, weight, value bytes); the same size estimate as
        # Whoosh's, without its per-posting type assertions.
        self.fieldnames.add(item[0])
        self.currentsize += 130 + len(item[0]) + 2 * len(item[1]) + len(item[4] or b"")
        if self.currentsize > self.limit:
            self.save()
        self.current.append(item)

    def _write_run(self, f: IO[bytes], items: Iterable[Any]) -> None:
        chunk: list[Any] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= _CHUNK:
                pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
                chunk = []
        if chunk:
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path: str) -> Iterator[Any]:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


class BulkCodec(KbCodec):
    """kb's codec, with field lengths served from memory while a segment is written."""

    def new_segment(self, storage: Any, indexname: str) -> Any:
        return fresh_segment(W3Segment(KbCodec(), indexname))  # KbCodec: what readers of the segment will use

    def per_document_reader(self, storage: Any, segment: Any) -> Any:
        return _Lengths(super().per_document_reader(storage, segment))


class _Lengths:
    """A per-document reader whose ``doc_field_length`` reads each length column once."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._columns: dict[str, list[int] | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        if fieldname not in self._columns:
            self._columns[fieldname] = self._load(fieldname)
        lengths = self._columns[fieldname]
        return (lengths[docnum] or default) if lengths is not None else default

    def _load(self, fieldname: str) -> list[int] | None:
        name = f"_{fieldname}_len"
        if not self._reader.has_column(name):
            return None
        return [_DECODE[b] for b in self._reader.column_reader(name, LENGTHS_COLUMN)]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)


def speed_up(writer: Any, limitmb: int) -> Any:
    """Give a freshly made SegmentWriter the chunked pool (Whoosh ignores its ``poolclass`` argument)."""
    writer.pool = ChunkedPool(writer._tempstorage, writer.newsegment, limitmb=limitmb)
    return writer


def bulk_writer(ix: Any, limitmb: int = 128, **kwargs: Any) -> Any:
    """A SegmentWriter for ``ix`` with the chunked pool and the bulk codec (same files as usual)."""
    return speed_up(SegmentWriter(ix, codec=BulkCodec(), limitmb=limitmb, **kwargs), limitmb)
