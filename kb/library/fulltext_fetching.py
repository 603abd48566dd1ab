"""Fetching papers' full texts into the store: the due ones inside `kb fetch`, any on demand (`kb fulltext`).

Each text is stored as soon as it is had (so a killed run keeps what it got) and the index follows it; a failure
is one line in the log and a row that makes the paper wait (kb.store.fulltext_due) unless it was the run's or
the host's trouble. After storing, the least recently used texts beyond ``fulltext.max_mb`` are evicted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kb.config import FullTextSettings
from kb.library.fulltexts import FullTexts
from kb.models import FullTextInfo, Item
from kb.text import counted

if TYPE_CHECKING:
    from kb.store import Store

if TYPE_CHECKING:  # the network stack loads only when a fetch runs
    from kb.fetchers.fulltext import FullTextFetcher, FullTextOutcome


@dataclass
class FullTextReport:
    """What one round of full-text fetching did."""

    fetched: list[FullTextInfo] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (paper id, one line)
    held: list[FullTextInfo] = field(default_factory=list)  # on demand: already held at the current version
    evicted: list[str] = field(default_factory=list)
    cut: str | None = None  # why the round stopped early (the run's deadline, the host down)
    left: list[str] = field(default_factory=list)  # papers not tried because of ``cut``

    def summary(self) -> str:
        """``3 full texts, 1 failed`` and what stopped the round, for kb fetch's summary line."""
        line = counted(len(self.fetched), "full text")
        if self.failed:
            line += f", {len(self.failed)} failed"
        if self.evicted:
            line += f", {len(self.evicted)} evicted"
        if self.cut:
            line += f" ({len(self.left)} left for the next run: {self.cut})"
        return line


def fetch_due(
    store: Store, texts: FullTexts, fetcher: FullTextFetcher, settings: FullTextSettings, logger: logging.Logger
) -> FullTextReport:
    """The texts `kb fetch` gets after the sources: up to ``per_run`` due papers, most recently kept first."""
    due = store.fulltexts_due(settings.for_, settings.per_run)
    return fetch_texts(store, texts, fetcher, due, settings, logger)


def fetch_named(
    store: Store,
    texts: FullTexts,
    fetcher: FullTextFetcher,
    items: Sequence[Item],
    settings: FullTextSettings,
    logger: logging.Logger,
) -> FullTextReport:
    """The texts of these papers (`kb fulltext ID...`), whatever ``fulltext.for`` says; those whose text of their
    current version is held already are reported as ``held``, not fetched again."""
    papers = {item.id: item.version for item in items}
    infos = texts.infos(list(papers))
    held = [info for item_id, info in infos.items() if _current(info, papers[item_id])]
    wanted = [(item_id, version) for item_id, version in papers.items() if item_id not in {i.item_id for i in held}]
    report = fetch_texts(store, texts, fetcher, wanted, settings, logger)
    report.held = held
    return report


def _current(info: FullTextInfo, version: int | None) -> bool:
    """Whether a stored text is of the paper's latest version (or the paper's version is unknown)."""
    return version is None or (info.version is not None and info.version >= version)


def fetch_texts(
    store: Store,
    texts: FullTexts,
    fetcher: FullTextFetcher,
    papers: Sequence[tuple[str, int | None]],
    settings: FullTextSettings,
    logger: logging.Logger,
) -> FullTextReport:
    """Fetch and store each (paper id, version) in turn, then evict beyond the size budget."""
    report = FullTextReport()
    for position, (item_id, version) in enumerate(papers):
        outcome = fetcher.fetch(item_id, version)
        if outcome.ok:
            report.fetched.append(_store(store, texts, outcome, logger))
            continue
        error = outcome.error or "failed"
        report.failed.append((item_id, error))
        logger.warning("fulltext id=%r version=%s FAILED error=%r", item_id, version, error)
        if outcome.passing:  # the run's deadline or a host down: the rest would fare no better
            report.cut, report.left = error, [paper for paper, _ in papers[position + 1 :]]
            break
        store.record_fulltext_failure(item_id, version, error)
    if report.fetched:
        report.evicted = texts.evict(settings.max_bytes, keep=[info.item_id for info in report.fetched])
        if report.evicted:
            logger.info("fulltext evicted %d beyond %d MB: %s", len(report.evicted), settings.max_mb, report.evicted)
    return report


def _store(store: Store, texts: FullTexts, outcome: FullTextOutcome, logger: logging.Logger) -> FullTextInfo:
    assert outcome.text is not None
    info = texts.save(outcome.text)
    store.forget_fulltext_failures([info.item_id])
    logger.info(
        "fulltext id=%r ok source=%s version=%s sections=%d bytes=%d %.2fs",
        info.item_id,
        info.source.value,
        info.version,
        info.sections,
        info.bytes,
        outcome.duration,
    )
    return info
