"""What the search index is told about each item and note."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from kb.models import FullText, IndexDoc, Item, Kind, Note


def item_document(item: Item, noted: Collection[str], text: FullText | None = None) -> IndexDoc:
    """The index document of a paper or post; ``noted`` holds the ids of papers some note links, ``text`` is the
    paper's full text when the store holds one."""
    return IndexDoc(
        id=item.id,
        kind=item.kind,
        title=item.title,
        text=item.summary,
        authors=_authors(item),
        categories=item.categories,
        tags=item.tags,
        sources=item.sources
        if item.kind is Kind.PAPER
        else tuple({*item.sources, *([item.feed] if item.feed else [])}),
        status=item.status,
        starred=item.starred,
        has_note=item.id in noted,
        published=item.dated,  # RSS replacements: the announcement, as everywhere
        comment=item.comment,
        journal_ref=item.journal_ref,
        sections=text.sections if text is not None else (),
    )


def _authors(item: Item) -> tuple[str, ...]:
    """The item's authors; a post whose feed names none is by its feed (a personal blog is named for its
    person: ``author:colah`` finds colah's posts)."""
    if item.authors or item.kind is not Kind.POST or not item.feed:
        return tuple(author.name for author in item.authors)
    return (item.feed,)


def note_document(note: Note, titles: Mapping[str, str]) -> IndexDoc:
    """The index document of a note; ``titles`` maps paper ids to their titles, for the papers it links."""
    return IndexDoc(
        id=note.id,
        kind=Kind.NOTE,
        title=note.title,
        text=note.body,
        tags=note.tags,
        linked_papers=note.papers,
        linked_titles=tuple(titles[paper] for paper in note.papers if titles.get(paper)),
    )
