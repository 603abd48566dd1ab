"""The index's fields, its schema version, and how an IndexDoc becomes a Whoosh document.

Bump SCHEMA_VERSION whenever a field, an analyzer or what goes into a field changes: an index written
with another version is reported as needing a rebuild and never searched.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from whoosh.columns import NumericColumn
from whoosh.fields import BOOLEAN, COLUMN, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from kb.index.analysis import NAME_ANALYZER, SEPARATOR, TEXT_ANALYZER, KbAnalyzer, KbPositions
from kb.models import IndexDoc, parse_arxiv_id

SCHEMA_VERSION = 1

#: Fields searched by a word without a field, with their weights (BM25F: title above the text).
DEFAULT_FIELDS: dict[str, float] = {"title": 3.0, "text": 1.0, "authors": 1.5, "extra": 0.8}

# Minutes since 0001-01-01 UTC: fits 32 bits until the year 4000 and sorts newest-first cheaply.
_EPOCH = datetime(1, 1, 1, tzinfo=UTC)


def _text(analyzer: KbAnalyzer, stored: bool = False) -> TEXT:
    field = TEXT(analyzer=analyzer, stored=stored)
    field.format = KbPositions(field_boost=field.format.field_boost)
    return field


def build_schema() -> Schema:
    """The current schema. Keyword fields are lower-cased; ``extra`` holds comment, journal ref,
    linked titles and tags so that free words find them too."""
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        kind=ID(stored=True),
        title=_text(TEXT_ANALYZER, stored=True),
        text=_text(TEXT_ANALYZER, stored=True),
        authors=_text(NAME_ANALYZER),
        extra=_text(TEXT_ANALYZER),
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
    )


def to_minutes(moment: datetime) -> int:
    """A datetime as the ``published`` field holds it (naive datetimes are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0, int((moment - _EPOCH).total_seconds() // 60))


def from_minutes(minutes: int) -> datetime:
    """The inverse of :func:`to_minutes`."""
    return _EPOCH + timedelta(minutes=minutes)


def to_fields(doc: IndexDoc) -> dict[str, Any]:
    """The Whoosh document of one IndexDoc (comma-joined keyword values, separator-joined text lists)."""
    links = [_bare_id(paper) for paper in doc.linked_papers]
    extra = [doc.comment or "", doc.journal_ref or "", *doc.linked_titles, *doc.tags]
    fields: dict[str, Any] = {
        "id": doc.id,
        "kind": doc.kind.value,
        "title": doc.title or "",
        "text": doc.text or "",
        "authors": SEPARATOR.join(doc.authors),
        "extra": SEPARATOR.join(x for x in extra if x),
        "cat": ",".join(_clean(c) for c in doc.categories),
        "tags": ",".join(_clean(t) for t in doc.tags),
        "sources": ",".join(_clean(s) for s in doc.sources),
        "links": ",".join(link for link in links if link),
        "starred": doc.starred,
        "has_note": doc.has_note,
    }
    if doc.status is not None:
        fields["status"] = doc.status.value
    if doc.published is not None:
        minutes = to_minutes(doc.published)
        fields["published"] = fields["newest"] = fields["pub"] = minutes
        fields["year"] = str(from_minutes(minutes).year)
    return fields


def _clean(value: str) -> str:
    # Commas separate keyword values: one inside a value would split it.
    return value.replace(",", " ").strip()


def _bare_id(paper: str) -> str:
    parsed = parse_arxiv_id(paper)
    return parsed.id.lower() if parsed else ""
