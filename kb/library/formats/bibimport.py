"""`kb import-bib`: a reference manager's papers brought in, fetched from arXiv, marked read (or starred).

The entries come from kb.library.formats.bibread. Papers kb does not hold yet are fetched the way `kb add`
fetches them (one arXiv API path: its pace, its endpoint, its fetch lock); papers it holds are not fetched
again. Every matched paper is then marked read (and starred with ``star``) and given the entry's keywords
as tags, added to the tags it has. Running it twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kb.library.formats.bibread import BibEntry, read_entries
from kb.models import Item, Status, TriageChange, normalise_tags

if TYPE_CHECKING:
    from kb.library.core import Library

#: Told what the import is doing: (what, done, total), e.g. ("marking", 3, 40).
ImportProgress = Callable[[str, int, int], None]
#: Why a matched entry was not imported when arXiv gave nothing for its id.
UNKNOWN_TO_ARXIV = "arXiv does not know {id}"


@dataclass(frozen=True)
class Unmatched:
    """An entry that was not imported, and why."""

    key: str
    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import did (the `--json` keys are documented in README)."""

    file: str
    entries: int = 0
    matched: dict[str, str] = field(default_factory=dict)  # arXiv item id -> the first entry key naming it
    added: list[str] = field(default_factory=list)  # fetched from arXiv by this import
    marked: list[str] = field(default_factory=list)  # triage or tags changed
    unchanged: list[str] = field(default_factory=list)  # already read (starred) with these tags
    unmatched: list[Unmatched] = field(default_factory=list)
    fetch_error: str | None = None  # the arXiv request failed: the entries it would have matched wait

    @property
    def changed(self) -> bool:
        return bool(self.added or self.marked)

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "entries": self.entries,
            "matched": len(self.matched),
            "added": self.added,
            "marked": self.marked,
            "unchanged": self.unchanged,
            "unmatched": [{"key": u.key, "line": u.line or None, "reason": u.reason} for u in self.unmatched],
            "error": self.fetch_error,
        }


def import_bib(library: Library, path: Path, star: bool, progress: ImportProgress | None = None) -> ImportReport:
    """Read ``path``, fetch the papers kb lacks, mark every matched one; the report says what changed."""
    entries = read_entries(path)
    report = ImportReport(file=str(path), entries=len(entries))
    keywords: dict[str, tuple[str, ...]] = {}
    for entry in entries:
        if entry.arxiv_id is None:
            report.unmatched.append(Unmatched(entry.key, entry.line, entry.reason or "no arXiv id"))
            continue
        item_id = f"arxiv:{entry.arxiv_id}"
        report.matched.setdefault(item_id, entry.key)
        keywords[item_id] = normalise_tags([*keywords.get(item_id, ()), *entry.keywords])
    _fetch_missing(library, report, progress)
    stored = {item.id: item for item in library.items(list(report.matched))}
    wanted = [item_id for item_id in report.matched if _has_metadata(stored.get(item_id))]
    for number, item_id in enumerate(wanted, 1):
        change = _change(stored[item_id], keywords[item_id], star)
        if change is None:
            report.unchanged.append(item_id)
        else:
            library.set_triage(item_id, change, catch_up=False)
            report.marked.append(item_id)
        if progress:
            progress("marking", number, len(wanted))
    if report.marked:
        library.catch_up_index()
    _unknown(report, stored, entries)
    return report


def _fetch_missing(library: Library, report: ImportReport, progress: ImportProgress | None) -> None:
    held = {item.id for item in library.items(list(report.matched)) if item.has_metadata}
    missing = [item_id for item_id in report.matched if item_id not in held]
    if not missing:
        return
    if progress:
        progress("fetching from arXiv", 0, len(missing))
    fetched = library.add([item_id.removeprefix("arxiv:") for item_id in missing], source="kb import-bib")
    if fetched.failed:
        report.fetch_error = "; ".join(outcome.error or "failed" for outcome in fetched.failed)
    report.added = [item_id for item_id in missing if item_id in fetched.changed_ids]
    if progress:
        progress("fetching from arXiv", len(missing), len(missing))


def _has_metadata(item: Item | None) -> bool:
    return item is not None and item.has_metadata


def _change(item: Item, keywords: tuple[str, ...], star: bool) -> TriageChange | None:
    """What marks ``item`` imported; None when it already is (read, starred if asked, with the keywords)."""
    tags = normalise_tags([*item.tags, *keywords])
    if item.status is Status.READ and (item.starred or not star) and tags == normalise_tags(item.tags):
        return None
    return TriageChange(status=Status.READ, starred=True if star else None, tags=tags)


def _unknown(report: ImportReport, stored: dict[str, Item], entries: list[BibEntry]) -> None:
    """Matched entries whose paper kb still lacks: arXiv does not know it (unless the request failed)."""
    lines = {entry.key: entry.line for entry in entries}
    for item_id, key in list(report.matched.items()):
        if _has_metadata(stored.get(item_id)):
            continue
        del report.matched[item_id]
        reason = "the arXiv request failed" if report.fetch_error else UNKNOWN_TO_ARXIV.format(id=item_id)
        report.unmatched.append(Unmatched(key, lines.get(key, 0), reason))
    report.unmatched.sort(key=lambda unmatched: unmatched.line)  # file order (CSL items keep theirs)
