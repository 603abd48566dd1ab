"""A year of mornings: 250 weekdays of 1,500 announcements each through kb's incremental path.

    python benchmarks/soak.py --workspace DIR [--days 250] [--per-day 1500] [--every 25] [--queries 200]

Each simulated weekday announces ``--per-day`` papers across the four default categories: about 70% new,
20% cross-lists (new to kb, from a second category) and 10% replacements (a newer version of a paper from
the last weeks), with real titles and abstract sentences from the recorded corpus recombined (the generator
of benchmarks/search.py). They go through what `kb fetch` does with a fetch's results: the store's upsert
(which queues the changed ids for the index in the same transaction), then the library's catch-up of the index
from that queue, source by source. Then 75% of the day's new papers are triaged through the
library as the TUI triages: each key stored at once (``set_triage(..., catch_up=False)``), the index caught up
from the store's queue in one batch when the keys pause (here: once at the end of the morning's triage).

Every ``--every`` days it prints: the day's store+index time, the triage time, the search p95 of the
mix (top 20 + snippets, in process), the index's size and segment count, the database's size and the log's.
At the end: the same mix on a fresh rebuild of the same data (`kb reindex`) for comparison.
Pass (issue 11): the last day's add within 2x of the first's; search p95 at the last day within 1.5x of the
fresh rebuild's; nothing unbounded grows.

At the default size this takes hours on a shared 2-core machine; ``--days`` and ``--per-day`` make a shorter
run of the same shape, and every printed line stands on its own (a run stopped early still says something).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from scale import kb_cmd, kb_env, paper  # noqa: E402
from search import Pool, latencies, load_pool, make_queries, p95  # noqa: E402

from benchmarks.corpus import corpus_dir  # noqa: E402
from kb.models import FetchedItem, Status, TriageChange  # noqa: E402
from tests.support.inside import store_of  # noqa: E402

CATEGORIES = ["cs.LG", "cs.CV", "cs.CL", "stat.ML"]
START = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # a Monday


def weekday(n: int) -> datetime:
    """The morning of the ``n``-th weekday (0-based) from START."""
    weeks, day = divmod(n, 5)
    return START + timedelta(days=7 * weeks + day)


def announcements(pool: Pool, rng: random.Random, n: int, per_day: int, recent: list[FetchedItem]) -> list[FetchedItem]:
    """One day's papers: new ones with ids of the day's month, cross-lists, and newer versions of recent ones."""
    morning = weekday(n)
    fresh = []
    for k in range(int(per_day * 0.9)):
        made = paper(pool, rng, k, per_day)
        number = n * per_day + k
        month = f"{morning.year % 100:02d}{morning.month:02d}"
        fresh.append(
            dataclasses.replace(
                made,
                id=f"arxiv:{month}.{number % 100_000:05d}",
                published=morning - timedelta(minutes=k),
                updated=morning - timedelta(minutes=k),
            )
        )
    replaced = [
        dataclasses.replace(old, version=(old.version or 1) + 1, updated=morning, title=old.title + " (revised)")
        for old in rng.sample(recent, min(len(recent), per_day - len(fresh)))
    ]
    return fresh + replaced


def size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else path.stat().st_size


def segments(index: Path) -> int:
    return len(list(index.rglob("*.seg"))) + len(list(index.rglob("*.idx")))  # Whoosh segments, tantivy segments


def search_p95(library: object, mix: list[str]) -> float:
    return p95(latencies(lambda q: library.search(q, limit=20), mix))  # type: ignore[attr-defined]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspace", type=Path, required=True, help="a folder that does not exist yet")
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--per-day", type=int, default=1500)
    parser.add_argument("--every", type=int, default=25)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--corpus", type=Path, default=None)
    args = parser.parse_args()
    corpus = corpus_dir(args.corpus)
    if args.workspace.exists():
        print(f"{args.workspace} exists: the soak starts from an empty workspace", file=sys.stderr)
        return 2
    from kb.library import Library

    pool = load_pool(corpus)
    mix = [kb for kb, _ in make_queries(pool, args.queries)]
    workspace = args.workspace.resolve()
    subprocess.run(kb_cmd("init", str(workspace)), env=kb_env(), cwd=REPO, check=True, capture_output=True)
    rng = random.Random(5)
    recent: list[FetchedItem] = []
    adds: list[float] = []
    last_p95 = float("nan")
    print(f"{args.days} weekdays x {args.per_day} announcements; every {args.every}th day:", flush=True)
    print("day  add_s  triage_s  search_p95_ms  index_MB  segments  db_MB  log_KB", flush=True)
    library = Library.open(workspace)
    try:
        for n in range(args.days):
            day = announcements(pool, rng, n, args.per_day, recent)
            started = time.perf_counter()
            for part, category in enumerate(CATEGORIES):  # one source at a time, as a fetch run stores them
                share = day[part :: len(CATEGORIES)]
                store_of(library).upsert_items(share, category, now=weekday(n))  # queued for the index with it
                library.catch_up_index()  # as a fetch run does after each source that changed something
            add = time.perf_counter() - started
            adds.append(add)
            started = time.perf_counter()
            new_ids = [item.id for item in day if "(revised)" not in item.title]
            for k, item_id in enumerate(new_ids[: int(len(new_ids) * 0.75)]):
                status = Status.SKIPPED if k % 4 == 3 else Status.READ
                library.set_triage(item_id, TriageChange(status=status), catch_up=False)
            library.catch_up_index()  # the TUI's batch when the keys pause
            triage = time.perf_counter() - started
            recent = (recent + day[: len(new_ids)])[-20 * args.per_day :]
            if (n + 1) % args.every == 0 or n == 0 or n == args.days - 1:
                state = workspace / ".kb"
                last_p95 = search_p95(library, mix)
                print(
                    f"{n + 1:3d}  {add:5.2f}  {triage:8.2f}  {last_p95:13.1f}"
                    f"  {size(state / 'index') / 1e6:8.0f}  {segments(state / 'index'):8d}"
                    f"  {size(state / 'kb.sqlite') / 1e6:5.0f}  {size(state / 'kb.log') / 1e3:6.0f}",
                    flush=True,
                )
        library.reindex()
        fresh = search_p95(library, mix)
    finally:
        library.close()
    print(
        f"fresh rebuild of the same data: search p95 {fresh:.1f} ms; last day / fresh {last_p95 / fresh:.2f}x"
        " (pass: <= 1.5x)",
        flush=True,
    )
    first_add, last_add = adds[0], adds[-1]
    print(f"last day's add / first day's: {last_add / first_add:.2f}x (pass: <= 2x)")
    print(f"median add: {statistics.median(adds):.2f} s over {len(adds)} days")
    return 0


if __name__ == "__main__":
    sys.exit(main())
