"""The citation neighbourhood of the papers you keep: fetched from Semantic Scholar, kept in the store, used
by search (``cites:``/``citedby:``), the reader, the inbox and the for-you ranking.

- ``refresh_kept`` runs at the end of `kb fetch`, after every source (the announcements never wait for it):
  kept papers (starred, tagged, linked from a note) whose lists are missing or older than
  ``citations.refresh_days`` are fetched, at most ``citations.max_per_run`` of them and for at most
  ``citations.max_seconds``. A failure other than "S2 does not know this paper" ends the step for the run
  (a dead or rate-limiting host costs one line in the log, not one per paper); the rest waits for next run.
- ``paper_citations`` is `kb citations ID`: the stored lists, fetched first when missing, stale or asked.
- New items of the workspace citing a starred paper are filed under the source ``citing-starred`` (the
  inbox's "new papers citing what you starred"), and ``boost_citing_starred`` lifts them in the for-you order,
  the more starred papers they cite the higher, saying so in the item's why line. arXiv papers that newly
  cite a starred paper (in its refreshed citations, not in the ones stored before) and that the workspace does
  not hold are fetched from arXiv by id into the inbox under that source (``citations.max_new_per_run``); the
  first fetch of a paper's lists is the baseline, so starring a classic does not flood the inbox.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from kb.errors import KbError, UsageError
from kb.models import CitationLists, Item, LinkedPaper, SourceResult, parse_arxiv_id
from kb.text import one_line

if TYPE_CHECKING:
    from kb.fetchers import Fetcher
    from kb.library.core import Library

#: The source new items citing a starred paper are filed under (`kb list --source citing-starred`).
SOURCE = "citing-starred"
#: How much of the distance to 1 a for-you score keeps for each starred paper an item cites: one starred
#: paper lifts 0.5 to 0.7, two to 0.92, so a paper citing two of yours ranks above nearly everything.
KEEP_PER_STARRED = 0.4
TITLE_WIDTH = 40

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Link:
    """One entry of a paper's references or citations, with the workspace item it is, if any."""

    paper: LinkedPaper
    item_id: str | None  # the item of this workspace, when it holds the paper

    def as_json(self) -> dict[str, object]:
        p = self.paper
        return {
            "title": p.title,
            "arxiv_id": p.arxiv_id.removeprefix("arxiv:") if p.arxiv_id else None,
            "doi": p.doi,
            "s2_id": p.s2_id,
            "year": p.year,
            "in_workspace": self.item_id is not None,
        }


@dataclass(frozen=True)
class PaperCitations:
    """What `kb citations ID` shows: the paper's lists as stored, and how fresh they are."""

    paper_id: str
    title: str | None  # the paper's title when the workspace holds it
    lists: CitationLists
    references: tuple[Link, ...]
    citations: tuple[Link, ...]
    refreshed: bool  # asked of Semantic Scholar by this command

    def as_json(self) -> dict[str, object]:
        """The documented keys of `kb citations --json`."""
        fetched = self.lists.fetched_at
        return {
            "id": self.paper_id,
            "title": self.title,
            "fetched_at": fetched.astimezone(UTC).isoformat() if fetched else None,
            "refreshed": self.refreshed,
            "complete": self.lists.complete,
            "not_found": self.lists.not_found,
            "error": self.lists.error,
            "references": [link.as_json() for link in self.references],
            "citations": [link.as_json() for link in self.citations],
        }


@dataclass
class CitationsRun:
    """What the citations step of one `kb fetch` did."""

    due: int = 0
    refreshed: list[str] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)
    links: int = 0
    requests: int = 0
    error: str | None = None  # why the step stopped early (the rest waits for the next run)
    filed: list[str] = field(default_factory=list)  # items newly filed under SOURCE
    newly_citing: list[str] = field(default_factory=list)  # arXiv papers newly citing a starred one, not held

    def log_line(self) -> str:
        line = (
            f"citations due={self.due} refreshed={len(self.refreshed)} not_found={len(self.not_found)} "
            f"links={self.links} requests={self.requests} citing_starred={len(self.filed)} "
            f"newly_citing={len(self.newly_citing)}"
        )
        return line + (f" FAILED error={self.error!r}" if self.error else "")


def refresh_kept(
    library: Library,
    fetcher: Fetcher,
    now: datetime | None = None,
    progress: Progress | None = None,
    store_result: Callable[[SourceResult], None] | None = None,
) -> CitationsRun:
    """Fetch the lists of the kept papers that are due (bounded in count and time), hand the arXiv papers newly
    citing a starred one to ``store_result`` (the fetch run's), then file the new items that cite starred
    papers. Never raises for the network; logs one line."""
    settings = library.config.citations
    run = CitationsRun()
    if not settings.enabled:
        return run
    store = library._store
    moment = now or datetime.now(UTC)
    due = store.citations_due(moment - timedelta(days=settings.refresh_days), settings.max_per_run)
    run.due = len(due)
    ends = time.monotonic() + settings.max_seconds
    for number, paper in enumerate(due, 1):
        if time.monotonic() > ends:
            run.error = f"out of time (citations.max_seconds {settings.max_seconds:g} s); the rest next run"
            break
        if progress:
            progress(f"citations {number}/{len(due)}: {paper.removeprefix('arxiv:')}")
        kept = store.get_item(paper)
        before = store.citations(paper) if kept is not None and kept.starred else None
        lists = fetcher.citations.lists(paper)
        run.requests += lists.requests
        store.save_citations(lists, moment)
        if before is not None and lists.error is None:
            known = {link.arxiv_id for link in before.citations}
            run.newly_citing += [p.arxiv_id for p in lists.citations if p.arxiv_id and p.arxiv_id not in known]
        if lists.not_found:
            run.not_found.append(paper)
        elif lists.error:
            run.error = f"{paper.removeprefix('arxiv:')}: {lists.error}; the rest next run"
            break
        else:
            run.refreshed.append(paper)
            run.links += len(lists.references) + len(lists.citations)
    _fetch_newly_citing(library, fetcher, run, store_result)
    run.filed = store.mark_citing_starred(SOURCE, moment)
    (library.logger.warning if run.error else library.logger.info)("%s", run.log_line())
    return run


def _fetch_newly_citing(
    library: Library, fetcher: Fetcher, run: CitationsRun, store_result: Callable[[SourceResult], None] | None
) -> None:
    """The arXiv papers newly citing a starred one that the workspace lacks, fetched by id under SOURCE."""
    wanted = list(dict.fromkeys(run.newly_citing))
    held = library._store.in_workspace(wanted)
    run.newly_citing = [paper for paper in wanted if paper not in held][: library.config.citations.max_new_per_run]
    if run.newly_citing and store_result is not None:
        store_result(fetcher.fetch_ids([paper.removeprefix("arxiv:") for paper in run.newly_citing], source=SOURCE))


def paper_citations(library: Library, text: str, refresh: bool, progress: Progress | None = None) -> PaperCitations:
    """`kb citations ID`: the paper's lists, fetched first when never fetched, older than the refresh time or
    ``refresh`` is asked. A failed fetch with lists stored shows those (with the error); without, it raises."""
    arxiv = parse_arxiv_id(text)
    if arxiv is None:
        raise UsageError(
            f"'{text}' is not an arXiv id", hint="citations are fetched for papers: kb citations 1706.03762"
        )
    paper = arxiv.key
    store = library._store
    stored = store.citations(paper)
    stale = datetime.now(UTC) - timedelta(days=library.config.citations.refresh_days)
    refreshed = False
    if refresh or stored is None or stored.fetched_at is None or stored.fetched_at < stale:
        from kb.fetchers import Fetcher

        if progress:
            progress(f"asking Semantic Scholar for {arxiv.id}")
        with Fetcher(library.config) as fetcher:
            fresh = fetcher.citations.lists(paper)
        store.save_citations(fresh)
        library.logger.log(
            logging.WARNING if fresh.error and not fresh.not_found else logging.INFO,
            "citations paper=%s references=%d citations=%d requests=%d%s",
            arxiv.id, len(fresh.references), len(fresh.citations), fresh.requests,
            f" error={fresh.error!r}" if fresh.error else "",
        )  # fmt: skip
        if store.mark_citing_starred(SOURCE):
            library.catch_up_index()
        if fresh.error and not fresh.not_found and stored is None:
            raise KbError(one_line(fresh.error, 300), hint="try again later; kb fetch retries kept papers by itself")
        stored = store.citations(paper)
        refreshed = fresh.ok
    assert stored is not None  # saved above
    return _shown(library, stored, refreshed)


def stored_citations(library: Library, text: str) -> PaperCitations | None:
    """A paper's lists as stored, asking no one (the reader); None when never fetched or not an arXiv id."""
    arxiv = parse_arxiv_id(text)
    stored = library._store.citations(arxiv.key) if arxiv else None
    return _shown(library, stored, refreshed=False) if stored else None


def _shown(library: Library, stored: CitationLists, refreshed: bool) -> PaperCitations:
    store = library._store
    present = store.in_workspace([link.arxiv_id for link in (*stored.references, *stored.citations)])
    item = store.get_item(stored.paper_id)

    def links(papers: Sequence[LinkedPaper]) -> tuple[Link, ...]:
        return tuple(Link(p, p.arxiv_id if p.arxiv_id in present else None) for p in papers)

    title = item.title if item and item.has_metadata else None
    return PaperCitations(stored.paper_id, title, stored, links(stored.references), links(stored.citations), refreshed)


def resolve_filters(library: Library, query: str) -> dict[tuple[str, str], set[str]]:
    """The ids each ``cites:``/``citedby:`` of ``query`` selects, from the store's citation links."""
    from kb.index.compile import store_filters

    wanted = store_filters(query)
    if not wanted:
        return {}
    store = library._store
    return {(name, paper): store.citing(paper) if name == "cites" else store.cited_by(paper) for name, paper in wanted}


def boost_citing_starred(library: Library, ranked: list[tuple[Item, float, str]]) -> list[tuple[Item, float, str]]:
    """Lift the items that cite starred papers (``KEEP_PER_STARRED``), re-sorted; their why names the papers."""
    from kb.library.ranking.ranker import newest_key

    try:
        citing = library._store.citing_starred()
    except KbError:  # the ranking must never fail for want of citations
        return ranked
    touched = [entry for entry in ranked if entry[0].id in citing]
    if not touched:
        return ranked
    starred = sorted({paper for entry in touched for paper in citing[entry[0].id]})
    titles = {item.id: item.title for item in library.items(starred)}
    boosted = []
    for item, score, why in ranked:
        cited = sorted(citing.get(item.id, ()))
        if cited:
            score = 1.0 - (1.0 - score) * KEEP_PER_STARRED ** len(cited)
            why = _why(cited, titles, why)
        boosted.append((item, score, why))
    boosted.sort(key=lambda entry: (-entry[1], -newest_key(entry[0]), entry[0].id))
    return boosted


def _why(cited: list[str], titles: dict[str, str], why: str) -> str:
    if not why:
        return why  # a list that shows no reasons asked for none
    named = ", ".join(f'"{one_line(titles.get(paper, paper), TITLE_WIDTH)}"' for paper in cited[:2])
    more = f" and {len(cited) - 2} more" if len(cited) > 2 else ""
    count = "a starred paper" if len(cited) == 1 else f"{len(cited)} of your starred papers"
    return f"+ cites {count} ({named}{more}); {why}"
