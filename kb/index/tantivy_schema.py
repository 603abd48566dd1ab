"""The tantivy index's fields, and how a prepared document becomes a tantivy document.

Text is analysed by kb itself (kb.index.analysis) and handed to tantivy pre-tokenized, so both engines
hold exactly the same terms at the same positions: accents, stems, hyphens, ids and categories behave
alike, and a phrase's gaps (dropped common words, the gap between two authors) are kept.
"""

from __future__ import annotations

import functools

import tantivy

from kb.index.analysis import EXACT_TERMS, MAX_TERM, NAME_TERMS, TEXT_TERMS, Terms
from kb.index.body import SectionTerms, body_text, encode_sections, insection_text
from kb.index.document import Prepared, exact_values

_TEXT_TERMS = TEXT_TERMS
_NAME_TERMS = NAME_TERMS
_EXACT_TERMS = EXACT_TERMS
_SECTION_TERMS = SectionTerms(_TEXT_TERMS)
#: Fields holding whole values (ids, categories, tags, ...), one term each.
KEYWORDS = ("id", "kind", "cat", "tags", "sources", "links", "status", "year")


@functools.cache
def build_schema() -> tantivy.Schema:
    """The tantivy schema (built once per process)."""
    sb = tantivy.SchemaBuilder()
    for name in KEYWORDS:
        sb.add_text_field(name, stored=name in ("id", "kind"), tokenizer_name="raw", index_option="basic")
    for name in ("title", "text"):
        sb.add_text_field(name, stored=True, tokenizer_name="raw", index_option="position")
    for name in ("authors", "extra", "title_exact", "text_exact", "extra_exact", "body", "insection"):
        sb.add_text_field(name, stored=False, tokenizer_name="raw", index_option="position")
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
    _add_text(out, "title", doc.title, _TEXT_TERMS)
    _add_text(out, "text", doc.text, _TEXT_TERMS)
    _add_text(out, "authors", doc.authors, _NAME_TERMS)
    _add_text(out, "extra", doc.extra, _TEXT_TERMS)
    for name, value in exact_values(doc).items():
        _add_text(out, name, value, _EXACT_TERMS)
    if doc.sections:
        _add_text(out, "body", body_text(doc.sections), _TEXT_TERMS)
        _add_text(out, "insection", insection_text(doc.sections), _SECTION_TERMS)
        out.add_bytes("sections", encode_sections(doc.sections))
    out.add_boolean("starred", doc.starred)
    out.add_boolean("has_note", doc.has_note)
    if doc.minutes is not None:
        out.add_integer("published", doc.minutes)
        out.add_integer("pub", doc.minutes)
        out.add_text("year", doc.year or "")
    out.add_integer("newest", doc.minutes or 0)
    return out


def _add_text(out: tantivy.Document, name: str, text: str, terms: Terms | SectionTerms) -> None:
    tokens = [tantivy.Token(term, pos, start, end) for term, pos, start, end in terms(text) if len(term) <= MAX_TERM]
    out.add_pre_tokenized_text(name, tantivy.PreTokenizedString(text, tokens))
