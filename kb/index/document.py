"""From an IndexDoc to what any engine can hold: every value a feed can send becomes indexable.

The store keeps the original; the index holds a bounded copy. Texts are cut to a size an engine can
index in reasonable time and memory (a 200 MB post is searched by its first megabyte), lists of values
and single values are capped, characters UTF-8 cannot carry are replaced, dates are clamped to what a
datetime can hold, and a document whose id is too long to be a term is not indexed at all (no feed or
note produces one: ids are bounded names and hashes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kb.index.analysis import MAX_TERM, SEPARATOR
from kb.index.body import BodySection, prepare_sections

__all__ = ["MAX_TERM", "Prepared", "exact_values", "from_minutes", "prepare", "to_minutes"]
from kb.models import IndexDoc, Kind, parse_arxiv_id

#: Fields searched by a word without a field, with their weights (BM25F: title above the text, a paper's full
#: text below its abstract).
DEFAULT_FIELDS: dict[str, float] = {"title": 3.0, "text": 1.0, "authors": 1.5, "extra": 0.8, "body": 0.5}
#: Unstemmed copies of the stemmed fields (title, text, extra; authors are never stemmed). A word searched
#: without a field also looks for its exact form there, weighted EXACT_BONUS times the field it copies, and
#: author names count 1 + EXACT_BONUS times too: an exact form scores 1 + EXACT_BONUS times what another form
#: of its stem scores. So `transformer` ranks the papers saying "Transformer" (even in the abstract) above
#: those saying only "transformation" (even in the title), both stemming to "transform", while documents
#: holding the same forms keep their order (every score of theirs is multiplied alike).
EXACT_FIELDS: dict[str, str] = {"title_exact": "title", "text_exact": "text", "extra_exact": "extra"}
EXACT_BONUS = 5.0
#: Every scored field's weight: the default fields, authors scaled as exact forms, the exact copies, and
#: ``insection`` (``in:KIND word``) weighing as the body. The body has no exact copy: it would double the
#: largest field's index for a tie-break the title and abstract already give.
FIELD_WEIGHTS: dict[str, float] = {
    **DEFAULT_FIELDS,
    "authors": DEFAULT_FIELDS["authors"] * (1 + EXACT_BONUS),
    **{name: DEFAULT_FIELDS[of] * EXACT_BONUS for name, of in EXACT_FIELDS.items()},
    "insection": DEFAULT_FIELDS["body"],
}

#: Characters of a title, of the main text and of the other text fields (authors, extras) indexed (a paper's
#: full text: kb.index.body.MAX_BODY).
MAX_TITLE = 100_000
MAX_TEXT = 1_000_000
MAX_OTHER = 100_000
#: Values of a multi-valued keyword field (categories, tags, sources, links), and characters of each.
MAX_VALUES = 1_000
MAX_VALUE = 200
#: Longest id indexed; a longer one cannot be a term in every engine.
MAX_ID = 2_000

# Minutes since 0001-01-01 UTC: sorts newest-first cheaply; every datetime fits.
_EPOCH = datetime(1, 1, 1, tzinfo=UTC)
_MINUTE = timedelta(minutes=1)
MAX_MINUTES = (datetime.max.replace(tzinfo=UTC) - _EPOCH) // _MINUTE


@dataclass(frozen=True)
class Prepared:
    """One document as the engines index it (values already bounded)."""

    id: str
    kind: str
    title: str
    text: str
    authors: str  # values joined by SEPARATOR
    extra: str
    cat: tuple[str, ...]  # lower-cased
    tags: tuple[str, ...]
    sources: tuple[str, ...]
    links: tuple[str, ...]
    status: str | None
    starred: bool
    has_note: bool
    minutes: int | None  # published, in minutes since year 1 (see to_minutes)
    year: str | None
    sections: tuple[BodySection, ...] = ()  # a paper's full text, bounded (kb.index.body)


def exact_values(doc: Prepared) -> dict[str, str]:
    """What the exact fields hold (analysed without stemming): the title, the text and the extras."""
    return {"title_exact": doc.title, "text_exact": doc.text, "extra_exact": doc.extra}


def to_minutes(moment: datetime) -> int:
    """A datetime as minutes since 0001-01-01 UTC (naive datetimes are taken as UTC), within a datetime's range."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return min(MAX_MINUTES, max(0, (moment - _EPOCH) // _MINUTE))  # integers: floats round at year 9999


def from_minutes(minutes: int) -> datetime:
    """The inverse of :func:`to_minutes`."""
    return _EPOCH + timedelta(minutes=min(MAX_MINUTES, max(0, minutes)))


def prepare(doc: IndexDoc) -> Prepared | None:
    """The bounded copy of ``doc``; None when it cannot be indexed at all (an id longer than MAX_ID)."""
    doc_id = _safe(doc.id)
    if not doc_id or len(doc_id) > MAX_ID:
        return None
    extra = [doc.comment or "", doc.journal_ref or "", *doc.linked_titles, *doc.tags]
    minutes = None if doc.published is None else to_minutes(doc.published)
    return Prepared(
        id=doc_id,
        kind=doc.kind.value,
        title=_cut(doc.title or "", MAX_TITLE),
        text=_cut(doc.text or "", MAX_TEXT),
        authors=_cut(SEPARATOR.join(doc.authors[:MAX_VALUES]), MAX_OTHER),
        extra=_cut(SEPARATOR.join(x for x in extra[:MAX_VALUES] if x), MAX_OTHER),
        cat=_values(doc.categories, lower=True),
        tags=_values(doc.tags, lower=True),
        sources=_values(doc.sources, lower=True),
        links=_values([_bare_id(paper) for paper in doc.linked_papers], lower=False),
        status=None if doc.status is None else doc.status.value,
        starred=bool(doc.starred),
        has_note=bool(doc.has_note),
        minutes=minutes,
        year=None if minutes is None else f"{from_minutes(minutes).year:04d}",  # as year: is typed
        sections=prepare_sections(doc.sections) if doc.kind is Kind.PAPER else (),
    )


def _safe(text: str) -> str:
    """``text`` without what UTF-8 cannot encode (lone surrogates), which no engine can store."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def _cut(text: str, most: int) -> str:
    return _safe(text[:most])


def _values(values: tuple[str, ...] | list[str], lower: bool) -> tuple[str, ...]:
    out: list[str] = []
    for value in values[:MAX_VALUES]:
        # Commas separate keyword values in Whoosh: one inside a value would split it.
        clean = _safe(value[:MAX_VALUE]).replace(",", " ").strip()
        if clean:
            out.append(clean.lower() if lower else clean)
    return tuple(out)


def keyword_value(value: str) -> str:
    """One lower-cased keyword value (a source name, a tag) as the index holds it; '' when nothing is left."""
    found = _values((value,), lower=True)
    return found[0] if found else ""


def _bare_id(paper: str) -> str:
    parsed = parse_arxiv_id(paper)
    return parsed.id.lower() if parsed else ""
