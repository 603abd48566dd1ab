"""Items as Rich Text: inbox rows, the reader's header, search snippets.

Feed text is data. Everything here builds ``rich.text.Text`` objects from plain strings (never markup strings),
after kb.text has removed control characters, so a title like ``[bold]x[/]`` or ``\\x1b]52;...`` shows as the
characters it is made of and can neither style the screen, add a link nor reach the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from rich.style import Style
from rich.text import Text

from kb.models import Item, Kind, Note, Status
from kb.text import one_line, terminal_safe

STAR = "★"
#: ``22 Nov`` or ``Nov 2025``: the day column's width, a space follows it.
DAY_WIDTH = 8
NOTE_MARK = "✎"
VERSION_MARK = "↑"
#: A row selected with `v` for triage all at once.
SELECTED_MARK = "▶"
KIND_LABELS = {Kind.PAPER: "P", Kind.POST: "B", Kind.NOTE: "N"}
STATUS_MARKS = {Status.NEW: "•", Status.READ: " ", Status.SKIPPED: "-"}


@dataclass(frozen=True)
class RowStyles:
    """Rich styles of the parts of an inbox row (the list widget takes them from its CSS component classes)."""

    base: Style = field(default_factory=Style)
    dim: Style = field(default_factory=lambda: Style(dim=True))
    day: Style = field(default_factory=lambda: Style(bold=True))
    star: Style = field(default_factory=lambda: Style(color="yellow"))
    meta: Style = field(default_factory=lambda: Style(dim=True))


def item_date(item: Item) -> datetime | None:
    """The date an item is filed under (Item.dated: published, else announced, else first seen)."""
    return item.dated


def day_label(moment: datetime | None, today: date) -> str:
    """``22 Nov`` in ``today``'s year, ``Nov 2019`` in any other, blank when unknown.

    ``today`` comes from the app's clock (kb.tui.clock), so the label does not depend on when it is drawn.
    """
    if moment is None:
        return ""
    return _day_label(moment.date(), today.year)


@lru_cache(maxsize=4096)
def _day_label(day: date, this_year: int) -> str:
    # Cached: every row drawn asks for its day and its predecessor's, and strftime is not cheap.
    return day.strftime("%d %b") if day.year == this_year else day.strftime("%b %Y")


def short_authors(item: Item, width: int) -> str:
    """``Vaswani, Shazeer +6``: surnames while they fit in ``width``, then how many more."""
    if item.kind is Kind.POST and not item.authors:
        return one_line(item.feed or "", width)
    names = [one_line(author.name).split(" ")[-1] for author in item.authors if author.name.strip()]
    shown: list[str] = []
    for position, name in enumerate(names):
        rest = len(names) - position - 1
        candidate = ", ".join([*shown, name]) + (f" +{rest}" if rest else "")
        if len(candidate) > width and shown:
            return one_line(", ".join(shown) + f" +{len(names) - len(shown)}", width)
        shown.append(name)
    return one_line(", ".join(shown), width)


def where_from(item: Item) -> str:
    """The primary category of a paper, the feed of a post."""
    if item.kind is Kind.PAPER:
        return item.categories[0] if item.categories else ""
    return item.feed or (item.sources[0] if item.sources else "")


def _fit(text: str, width: int) -> str:
    """``text`` on one line, cut or padded to exactly ``width`` cells (ASCII-width assumption is close enough)."""
    flat = one_line(text, width)
    return flat + " " * max(width - len(flat), 0)


def row_text(
    item: Item,
    width: int,
    day: str,
    has_note: bool,
    styles: RowStyles,
    score: float | None = None,
    selected: bool = False,
) -> Text:
    """One inbox row: status, marks (star, note, new version, selected), day, kind, title, authors, category or
    feed; in the for-you order the score (0..1) leads the day."""
    muted = item.status is not Status.NEW
    base = styles.dim if muted else styles.base
    text = Text(style=styles.base, no_wrap=True, overflow="ellipsis", end="")
    text.append(STATUS_MARKS[item.status], base)
    text.append(STAR if item.starred else " ", styles.star)
    text.append(NOTE_MARK if has_note else " ", base)
    # "!" : back in the inbox because a watched paper changed (new version, DOI, journal ref)
    text.append(
        "!" if item.alert else (VERSION_MARK if item.previous_version else " "), styles.star if item.alert else base
    )
    text.append(SELECTED_MARK if selected else " ", styles.star)
    if score is not None:
        text.append(f"{score:.2f} ", styles.meta)
    text.append(_fit(day, DAY_WIDTH), styles.day)
    text.append(" ")
    text.append(KIND_LABELS.get(item.kind, "?") + " ", styles.meta)
    authors_width = 20 if width >= 110 else 14
    where_width = 10 if width >= 100 else 8
    title_width = max(width - len(text) - authors_width - where_width - 2, 10)
    title = one_line(item.title) or f"({item.id})"
    text.append(_fit(title, title_width), base)
    text.append(" ")
    text.append(_fit(short_authors(item, authors_width), authors_width), styles.meta)
    text.append(" ")
    text.append(_fit(where_from(item), where_width), styles.meta)
    text.truncate(width, pad=True)
    return text


def _date(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment else "?"


def _line(text: Text, label: str, value: str | None) -> None:
    if value:
        text.append(f"{label}: ", "bold")
        text.append(terminal_safe(value) + "\n")


def reader_header(item: Item, notes: list[Note] | None = None, why: str | None = None) -> Text:
    """The reader's metadata block: title, authors with affiliations, categories, dates, versions, refs; in the
    for-you order, ``why`` (the `kb why` line)."""
    text = Text()
    text.append(one_line(item.title) or item.id, "bold")
    text.append("\n")
    authors = [
        one_line(author.name) + (f" ({one_line('; '.join(author.affiliations))})" if author.affiliations else "")
        for author in item.authors
    ]
    if authors:
        text.append(", ".join(authors) + "\n", "italic")
    _line(text, "id", item.id)
    _line(text, "changed", item.alert)  # why a watched paper is back in the inbox: "v2 -> v3", "now published in"
    if item.kind is Kind.PAPER:
        _line(text, "categories", " ".join(item.categories))
        version = f"v{item.version}" if item.version else None
        if version and item.previous_version:
            version = f"v{item.previous_version} → {version}"
        _line(text, "version", version)
    else:
        _line(text, "feed", item.feed)
    if item.published is not None:
        _line(text, "published", _date(item.published) + (f", updated {_date(item.updated)}" if item.updated else ""))
    else:  # an arXiv RSS replacement: only the day it was announced is known (the API date comes later)
        _line(text, "announced", _date(item.updated) if item.updated else None)
    _line(text, "first seen", _date(item.first_seen))
    _line(text, "comment", item.comment)
    _line(text, "journal", item.journal_ref)
    _line(text, "doi", item.doi)
    _line(text, "url", item.url)
    state = [item.status.value] + (["starred"] if item.starred else []) + [f"#{tag}" for tag in item.tags]
    _line(text, "triage", " ".join(state))
    if notes:
        _line(text, "notes", ", ".join(f"{one_line(n.title)} ({n.path})" for n in notes))
    _line(text, "for you", why)
    return text


def abstract_text(item: Item) -> Text:
    """A paper's abstract (or a post's plain text) as inert text, paragraphs kept."""
    return Text(terminal_safe(item.summary.strip()) or "(no abstract)")


def marked_text(snippet: str, marks: tuple[str, str], style: Style | str = "reverse") -> Text:
    """A search snippet with the parts between ``marks`` highlighted (and the marks removed)."""
    opening, closing = marks
    text = Text(no_wrap=False)
    rest = one_line(snippet)
    while rest:
        start = rest.find(opening)
        if start < 0:
            text.append(rest)
            break
        end = rest.find(closing, start + len(opening))
        if end < 0:
            text.append(rest.replace(opening, ""))
            break
        text.append(rest[:start])
        text.append(rest[start + len(opening) : end], style)
        rest = rest[end + len(closing) :]
    return text
