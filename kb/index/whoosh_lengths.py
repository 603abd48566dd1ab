"""Field lengths for scoring, read once per segment instead of once per scored document.

BM25 needs each matching document's field length. Whoosh keeps them in a one-byte-per-document column and,
without memory mapping (kb opens indexes with ``supports_mmap=False`` so a search process stays small:
docs/performance.md), reads that byte with a seek and a read for every document it scores: 0.7 of 2.5 s in
a profile of two broad queries at 100,000 papers. Here a segment's column is read whole the first time a
field is scored (one byte per document: 1 MB a field at a million) and kept with the segment's reader, so
the per-document cost is an index into ``bytes``. The lengths are Whoosh's own (same bytes, same decoding).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.util.numeric import byte_to_length

#: Every length byte decoded once (Whoosh's ``byte_to_length`` is a lookup in the same table).
_DECODED = tuple(byte_to_length(b) for b in range(256))

_CACHE = "_kb_field_lengths"


def field_lengths(searcher: Any, fieldname: str, default: int = 1) -> Callable[[int], int]:
    """A function giving a document's length in ``fieldname`` within ``searcher``'s segment (``default`` when
    the segment has no lengths for the field), equal to ``searcher.doc_field_length(docnum, fieldname, default)``.
    """
    perdoc = getattr(searcher.reader(), "_perdoc", None)
    table = _table(perdoc, fieldname) if perdoc is not None else None
    if table is None:  # not a plain Whoosh 3 segment (or a future Whoosh): its own, slower path
        return lambda docnum: searcher.doc_field_length(docnum, fieldname, default)
    if not table:
        return lambda docnum: default
    decoded, size = _DECODED, len(table)
    # Whoosh gives None for a byte of 0 or a document past the column: a document holding no term of the
    # field, so never one being scored; 0 here.
    return lambda docnum: decoded[table[docnum]] if docnum < size else 0


def _table(perdoc: Any, fieldname: str) -> bytes | None:
    """The segment's length column for ``fieldname`` as bytes (b"" when it has none); None when unreadable."""
    cache = perdoc.__dict__.setdefault(_CACHE, {})
    if fieldname not in cache:
        try:
            reader = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if reader is None:
                cache[fieldname] = b""
            elif reader._fixedlen != 1:
                return None
            else:
                cache[fieldname] = bytes(reader._dbfile.get(reader._basepos, reader._count))
        except AttributeError:
            return None
    table: bytes = cache[fieldname]
    return table
