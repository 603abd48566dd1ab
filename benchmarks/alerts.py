"""What change alerts and gap bookkeeping cost a fetch, and what finding gaps costs `kb status`.

1. Storing a day's announcement: the store's upsert alone (the baseline) against FetchRun.on_result, which adds
   the watched-paper look-up before, the alerts after, the fetch log, feed state and the announcement days.
   The papers are the recorded 4-category announcement (corpus), replicated with distinct ids up to N; one in
   ten is starred or tagged or linked from a note, and the batch brings a new version of every paper, so
   every watched paper raises an alert (the worst case). Each side starts from a copy of the same store.
2. `kb status`: the existing report (runs, source health, counts) against find_gaps on the same store, with
   three weeks of announcement days for 4 categories, 10 saved searches and 50 feeds with 50 log entries each.

    python benchmarks/alerts.py [N]            (corpus from KB_CORPUS or ../shared/corpus)
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from benchmarks.corpus import corpus_dir
from kb.config import ArxivQuery, ArxivSettings, BlogFeed, Config
from kb.fetchers.arxiv_rss import parse_announcements
from kb.library.fetching import FetchRun
from kb.library.sources.gaps import find_gaps
from kb.library.sources.health import status_report
from kb.models import FetchedItem, Note, SourceKind, SourceResult, UpsertReport
from kb.store import Store

REPO = Path(__file__).resolve().parent.parent
RSS = "arxiv-rss/rss2026_cs.LG+cs.AI+cs.CL+stat.ML_2026-09-24_trimmed4items.xml"
CATEGORIES = ("cs.LG", "cs.AI", "cs.CL", "stat.ML")
NOW = datetime(2026, 9, 25, 9, 0, tzinfo=UTC)


def replicate(papers: tuple[FetchedItem, ...], n: int, version_bump: int = 0) -> list[FetchedItem]:
    """``n`` distinct papers cycling through the recorded ones (ids 2609.10000 onwards)."""
    out = []
    for i in range(n):
        base = papers[i % len(papers)]
        version = (base.version or 1) + version_bump
        out.append(dataclasses.replace(base, id=f"arxiv:2609.{10000 + i}", version=version, title=f"{base.title} {i}"))
    return out


def timed(work: Callable[[], object], repeat: int = 1) -> float:
    """The median wall time of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def day_one(path: Path, papers: list[FetchedItem]) -> None:
    """A store holding the first versions, one paper in ten watched (starred, tagged or noted)."""
    with Store.open(path) as store:
        store.upsert_items(papers, "arxiv", now=NOW - timedelta(days=1))
        watched = [paper.id for paper in papers[::10]]
        for n, item_id in enumerate(watched):
            if n % 3 == 0:
                store.set_starred(item_id, True)
            elif n % 3 == 1:
                store.set_tags(item_id, ["watched"])
        noted = watched[2::3]
        store.save_notes([Note(path=f"n{n}.md", title="n", body="", papers=(i,)) for n, i in enumerate(noted)])


def config() -> Config:
    queries = tuple(ArxivQuery(f"search {n}", f"all:topic{n}") for n in range(10))
    feeds = tuple(BlogFeed(f"feed {n}", f"https://blog{n}.example.org/feed") for n in range(50))
    return Config(Path("feeds.yaml"), ArxivSettings(categories=CATEGORIES, queries=queries), feeds)


def bench_fetch(folder: Path, papers: list[FetchedItem], updated: list[FetchedItem]) -> None:
    day_one(folder / "seed.sqlite", papers)
    baseline, hooked = folder / "baseline.sqlite", folder / "hooked.sqlite"
    for copy in (baseline, hooked):
        shutil.copy(folder / "seed.sqlite", copy)
    result = SourceResult("arxiv", SourceKind.ARXIV_RSS, tuple(updated))
    with Store.open(baseline) as store:
        upsert = timed(lambda: store.upsert_items(result.items, "arxiv"))
    alerted: list[str] = []
    with Store.open(hooked) as store:
        run = FetchRun(store, config(), logging.getLogger("bench"), None)
        hook = timed(lambda: run.on_result(result))
        alerted = run.report.alerted
    print(f"fetch batch of {len(updated)} new versions, {len(alerted)} watched papers alerted:")
    print(f"  store.upsert_items alone      {upsert * 1000:8.1f} ms  ({len(updated) / upsert:8.0f} items/s)")
    print(f"  FetchRun.on_result (hooked)   {hook * 1000:8.1f} ms  ({len(updated) / hook:8.0f} items/s)")
    print(f"  ratio hooked / upsert alone   {hook / upsert:8.2f}x")


def bench_status(folder: Path) -> None:
    path = folder / "status.sqlite"
    cfg = config()
    with Store.open(path) as store:
        counts = {(c, NOW.date() - timedelta(days=d)): 100 for c in CATEGORIES for d in range(1, 22) if d % 7}
        store.record_announcements(counts, now=NOW)
        for _ in range(50):
            run_id = store.start_run(now=NOW)
            for name in cfg.source_names():
                ok = not name.endswith("7")  # a few sources failing throughout
                res = SourceResult(name, SourceKind.FEED, ok=ok, error=None if ok else "HTTP 500", complete=ok)
                store.record_source(run_id, res, UpsertReport(), now=NOW)
            store.finish_run(run_id, now=NOW)
        status = timed(lambda: status_report(store, cfg, 0, True), repeat=5)
        gaps_time = timed(lambda: find_gaps(store, cfg, NOW), repeat=5)
        gaps = find_gaps(store, cfg, NOW)
    print(f"kb status with {len(cfg.source_names())} sources x 50 runs, 3 weeks of days for 4 categories:")
    print(f"  status report (existing)      {status * 1000:8.1f} ms")
    print(f"  find_gaps ({len(gaps)} gaps)            {gaps_time * 1000:8.1f} ms")
    print(f"  ratio gaps / status           {gaps_time / status:8.2f}x")


def main() -> int:
    """Run both benchmarks and print their figures."""
    corpus = corpus_dir()
    if not (corpus / RSS).is_file():
        print(f"no corpus at {corpus} (set KB_CORPUS)", file=sys.stderr)
        return 2
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    recorded = parse_announcements((corpus / RSS).read_bytes()).items
    papers, updated = replicate(recorded, n), replicate(recorded, n, version_bump=1)
    with tempfile.TemporaryDirectory() as folder:
        bench_fetch(Path(folder), papers, updated)
        bench_status(Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
