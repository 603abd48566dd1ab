"""The tantivy index's fields, and how a prepared document becomes a tantivy document.

Text is analysed by kb itself (kb.index.analysis), so both engines hold exactly the same terms at the same
positions: accents, stems, hyphens, ids and categories behave alike, and a phrase's gaps (dropped common
words, the gap between two authors) are kept. Each analysed field receives its terms as one string
(:meth:`Terms.joined`) that tantivy's ``kb`` tokenizer only splits: a token object per term made from Python
cost four fifths of a rebuild. The analysed fields are therefore not stored; the title and the text shown
in hits are stored beside them as UTF-8 bytes.
"""

from __future__ import annotations

import functools

import tantivy

from kb.index.analysis import EXACT_TERMS, HOLE, LONG, NAME_TERMS, TEXT_TERMS, as_token, chunks
from kb.index.body import SectionTerms, body_text, encode_sections, insection_text
from kb.index.document import Prepared, exact_values

_TEXT_TERMS = TEXT_TERMS
_NAME_TERMS = NAME_TERMS
_EXACT_TERMS = EXACT_TERMS
_SECTION_TERMS = SectionTerms(_TEXT_TERMS)
#: Fields holding whole values (ids, categories, tags, ...), one term each.
KEYWORDS = ("id", "kind", "cat", "tags", "sources", "links", "status", "year")
#: The analysed fields (their text is kb's joined terms) and the stored fields of what hits show.
ANALYSED = ("title", "text", "authors", "extra", "title_exact", "text_exact", "extra_exact", "body", "insection")
_ANALYSED = frozenset(ANALYSED)
SHOWN = {"title": "shown_title", "text": "shown_text"}
#: The tokenizer of the analysed fields: splits at TERM_BREAK (a space; tantivy's whitespace tokenizer takes a
#: third of the CPU of a regex one), drops HOLE and LONG (their positions stay).
TOKENIZER = "kb"


def register_tokenizer(ix: tantivy.Index) -> None:
    """Teach ``ix`` the ``kb`` tokenizer (an index must know it before it adds a document)."""
    analyzer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
    ix.register_tokenizer(TOKENIZER, analyzer.filter(tantivy.Filter.custom_stopword([HOLE, LONG])).build())


def token(fieldname: str, term: str) -> str:
    """The term of a query as ``fieldname`` holds it (an analysed field writes a term's spaces as SPACE)."""
    return as_token(term) if fieldname in _ANALYSED else term


@functools.cache
def build_schema() -> tantivy.Schema:
    """The tantivy schema (built once per process)."""
    sb = tantivy.SchemaBuilder()
    for name in KEYWORDS:
        sb.add_text_field(name, stored=name in ("id", "kind"), tokenizer_name="raw", index_option="basic")
    for name in ANALYSED:
        sb.add_text_field(name, stored=False, tokenizer_name=TOKENIZER, index_option="position")
    for name in SHOWN.values():
        sb.add_bytes_field(name, stored=True)
    sb.add_bytes_field("sections", stored=True)  # read only for hits whose body matched
    sb.add_boolean_field("starred", indexed=True)
    sb.add_boolean_field("has_note", indexed=True)
    sb.add_integer_field("published", indexed=True)
    sb.add_integer_field("newest", fast=True)  # sort key: an undated document is the oldest
    sb.add_integer_field("pub", stored=True)
    return sb.build()


def to_document(doc: Prepared) -> tantivy.Document:
    """The tantivy document of one prepared document."""
    out = tantivy.Document()
    out.add_text("id", doc.id)
    out.add_text("kind", doc.kind)
    for name, values in (("cat", doc.cat), ("tags", doc.tags), ("sources", doc.sources), ("links", doc.links)):
        for value in values:
            out.add_text(name, value)
    if doc.status is not None:
        out.add_text("status", doc.status)
    out.add_bytes(SHOWN["title"], doc.title.encode())
    out.add_bytes(SHOWN["text"], doc.text.encode())
    split: dict[str, list[list[str]]] = {}  # the exact copies hold the same texts: each is split once
    for name, text, terms in (
        ("title", doc.title, _TEXT_TERMS),
        ("text", doc.text, _TEXT_TERMS),
        ("authors", doc.authors, _NAME_TERMS),
        ("extra", doc.extra, _TEXT_TERMS),
        *((name, value, _EXACT_TERMS) for name, value in exact_values(doc).items()),
    ):
        if text not in split:
            split[text] = chunks(text)
        out.add_text(name, terms.join(split[text]))
    if doc.sections:
        out.add_text("body", _TEXT_TERMS.joined(body_text(doc.sections)))
        out.add_text("insection", _SECTION_TERMS.joined(insection_text(doc.sections)))
        out.add_bytes("sections", encode_sections(doc.sections))
    out.add_boolean("starred", doc.starred)
    out.add_boolean("has_note", doc.has_note)
    if doc.minutes is not None:
        out.add_integer("published", doc.minutes)
        out.add_integer("pub", doc.minutes)
        out.add_text("year", doc.year or "")
    out.add_integer("newest", doc.minutes or 0)
    return out


def shown(doc: tantivy.Document, name: str) -> str:
    """The stored ``title`` or ``text`` of a document read from the index."""
    value = doc.get_first(SHOWN[name])
    return bytes(value).decode() if value else ""
