"""The index's fields, its schema version, and how a prepared document becomes a Whoosh document.

Bump an engine's SCHEMA_VERSIONS entry whenever a field, an analyzer or what goes into a field of its index
changes: an index written with another version is reported as needing a rebuild and never searched. One
version per engine, so that a change to one engine's index does not rebuild the other's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kb.index.body import body_text, encode_sections, insection_text
from kb.index.document import DEFAULT_FIELDS, Prepared, exact_values, from_minutes, to_minutes

if TYPE_CHECKING:
    from whoosh.fields import TEXT, Schema

    from kb.index.whoosh_analysis import KbAnalyzer

__all__ = [
    "DEFAULT_FIELDS",
    "SCHEMA_VERSIONS",
    "WHOOSH_MAX_MINUTES",
    "build_schema",
    "from_minutes",
    "to_fields",
    "to_minutes",
]

#: 2: the unstemmed copies title_exact, text_exact and extra_exact; 3: a paper's full text;
#: tantivy 4: analysed fields take kb's terms as one joined string, the shown title and text stored as bytes;
#: whoosh 4, tantivy 5: an arXiv id inside a link (``arxiv.org/abs/1706.03762v5``) is indexed as the bare id,
#: and every Whoosh document has a ``newest`` value (undated: 0).
SCHEMA_VERSIONS: dict[str, int] = {"whoosh": 4, "tantivy": 5}

#: The latest minute Whoosh's 32-bit ``published`` field holds (early 4084); later dates are indexed as it.
WHOOSH_MAX_MINUTES = 2**31 - 1


def _text(analyzer: KbAnalyzer, stored: bool = False) -> TEXT:
    from whoosh.fields import TEXT

    from kb.index.whoosh_analysis import KbPositions

    field = TEXT(analyzer=analyzer, stored=stored)
    field.format = KbPositions(field_boost=field.format.field_boost)
    return field


def build_schema() -> Schema:
    """The current schema. Keyword fields are lower-cased; ``extra`` holds comment, journal ref,
    linked titles and tags so that free words find them too. (Whoosh is imported here, not at the top: the
    schema version and ``to_fields`` are read by processes that run tantivy.)"""
    from whoosh.columns import CompressedBytesColumn, NumericColumn
    from whoosh.fields import BOOLEAN, COLUMN, ID, KEYWORD, NUMERIC, STORED, Schema

    from kb.index.whoosh_analysis import EXACT_ANALYZER, NAME_ANALYZER, SECTION_ANALYZER, TEXT_ANALYZER

    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        kind=ID(stored=True),
        title=_text(TEXT_ANALYZER, stored=True),
        text=_text(TEXT_ANALYZER, stored=True),
        authors=_text(NAME_ANALYZER),
        extra=_text(TEXT_ANALYZER),
        title_exact=_text(EXACT_ANALYZER),
        text_exact=_text(EXACT_ANALYZER),
        extra_exact=_text(EXACT_ANALYZER),
        cat=KEYWORD(lowercase=True, commas=True),
        tags=KEYWORD(lowercase=True, commas=True),
        sources=KEYWORD(lowercase=True, commas=True),
        links=KEYWORD(commas=True),
        status=ID,
        starred=BOOLEAN,
        has_note=BOOLEAN,
        year=ID,
        published=NUMERIC(int, bits=32, signed=True, shift_step=8),
        newest=COLUMN(NumericColumn("I", default=0)),  # sort key: an undated document is the oldest
        pub=STORED,
        body=_text(TEXT_ANALYZER),
        insection=_text(SECTION_ANALYZER),
        sections=COLUMN(CompressedBytesColumn()),  # read only for hits whose body matched
    )


def to_fields(doc: Prepared) -> dict[str, Any]:
    """The Whoosh document of one prepared document (comma-joined keyword values).

    ``published`` and ``newest`` are 32-bit: a date past early 4084 is indexed as that minute (it sorts
    first and matches ``published:>4000``); ``pub`` and ``year`` keep the true date.
    """
    fields: dict[str, Any] = {
        "id": doc.id,
        "kind": doc.kind,
        "title": doc.title,
        "text": doc.text,
        "authors": doc.authors,
        "extra": doc.extra,
        **exact_values(doc),
        "cat": ",".join(doc.cat),
        "tags": ",".join(doc.tags),
        "sources": ",".join(doc.sources),
        "links": ",".join(doc.links),
        "starred": doc.starred,
        "has_note": doc.has_note,
    }
    if doc.status is not None:
        fields["status"] = doc.status
    if doc.sections:
        fields["body"] = body_text(doc.sections)
        fields["insection"] = insection_text(doc.sections)
    # Every document gets a value: Whoosh's column of a segment ends at the last document that gave one.
    fields["sections"] = encode_sections(doc.sections) if doc.sections else b""
    # The sort key too: a segment without the column makes `--sort date` fail (Whoosh then sorts by the field's
    # terms, and ``newest`` has none); an undated document is the oldest.
    fields["newest"] = 0
    if doc.minutes is not None:
        fields["published"] = fields["newest"] = min(doc.minutes, WHOOSH_MAX_MINUTES)
        fields["pub"] = doc.minutes
        fields["year"] = doc.year
    return fields
