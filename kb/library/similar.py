"""`kb similar`: the papers, posts and notes most like one item, or the papers like the ones a note links.

What "like" means is the index's (kb.index.similar: tf-idf key terms of the title and text, searched as a
weighted OR on either engine). This module decides what the source is: an item's own document, or, for a
note, the documents of the papers it links taken together (the note's own text when it links none), and
what to leave out (the source itself; for a note, the note and the papers it already links).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from kb.errors import NotFound
from kb.library.documents import item_document
from kb.models import IndexDoc, Item, Kind, SimilarResult, parse_arxiv_id

if TYPE_CHECKING:
    from kb.index import SearchIndex
    from kb.library.notebook import Notebook
    from kb.store import Store


def is_note_reference(text: str) -> bool:
    """Whether ``text`` names a note (``note:...``, a path ending in .md) rather than a paper or post."""
    text = text.strip()
    if text.startswith("note:") or text.lower().endswith(".md"):
        return True
    return not text.startswith("post:") and parse_arxiv_id(text) is None


def similar_to_item(index: SearchIndex, item: Item, limit: int, marks: tuple[str, str]) -> SimilarResult:
    """The documents most like ``item`` (any kind), the item itself left out."""
    found = index.similar([item_document(item, ())], {item.id}, None, limit, marks)
    return dataclasses.replace(found, based_on=(item.id,))


def similar_to_note(
    store: Store, index: SearchIndex, notes: Notebook, text: str, limit: int, marks: tuple[str, str]
) -> SimilarResult:
    """The papers most like those the note links (the note's own text when it links none), leaving out the
    note and what it already links."""
    note = notes.get_note(text)
    linked = [item for item in store.get_items(list(note.papers)) if item.has_metadata]
    sources: list[IndexDoc] = [item_document(item, ()) for item in linked]
    if not sources:
        docs, _missing = notes.documents_at([note.path])
        sources = docs
    if not sources:
        raise NotFound(f"note {note.path} has no text and links no paper kb has fetched")
    exclude = {note.id, *note.papers}
    found = index.similar(sources, exclude, Kind.PAPER.value, limit, marks)
    return dataclasses.replace(found, based_on=tuple(doc.id for doc in sources))


def find_similar(
    store: Store,
    index: Callable[[], SearchIndex],
    notes: Notebook,
    get_item: Callable[[str], Item],
    text: str,
    limit: int,
    marks: tuple[str, str],
) -> SimilarResult:
    """`kb similar TEXT`: a note reference goes to :func:`similar_to_note`, anything else names an item."""
    if is_note_reference(text):
        return similar_to_note(store, index(), notes, text, limit, marks)
    return similar_to_item(index(), get_item(text), limit, marks)
