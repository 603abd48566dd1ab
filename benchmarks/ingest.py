"""How fast kb.store stores a big fetch, against raw sqlite3 writing the same rows in the same run.

Papers are parsed from the recorded arXiv API responses in the corpus (stdlib xml.etree, not our fetchers: the
benchmark measures the store alone), then replicated with distinct ids and slightly varied titles up to N.
The baseline writes the same rows (items, triage, authors, categories, versions, sources) into the same
schema with ``sqlite3.executemany`` in one transaction, with the same pragmas (WAL, synchronous=NORMAL),
starting from the same FetchedItem objects. Figures are items per second; the ratio is store / raw.

    python benchmarks/ingest.py [N]            (corpus from KB_CORPUS or ../shared/corpus)
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from benchmarks.corpus import corpus_dir
from kb.fetchers.arxiv_atom import parse_api_response
from kb.models import FetchedItem
from kb.store import Store
from kb.store.migrations import MIGRATIONS

REPO = Path(__file__).resolve().parent.parent


def recorded_papers(corpus: Path) -> list[FetchedItem]:
    """Every distinct paper in the corpus's arXiv API responses, read as the fetcher reads them."""
    papers: dict[str, FetchedItem] = {}
    for path in sorted((corpus / "arxiv-api").glob("*.xml")):
        papers.update((paper.id, paper) for paper in parse_api_response(path.read_bytes()).papers)
    return list(papers.values())


def replicate(papers: list[FetchedItem], n: int) -> list[FetchedItem]:
    """``n`` distinct papers cycling through ``papers``: new ids, titles varied by a counter."""
    return [
        dataclasses.replace(
            papers[k % len(papers)],
            id=f"arxiv:{2600 + k // 100_000}.{k % 100_000:05d}",
            title=f"{papers[k % len(papers)].title} (variant {k})",
        )
        for k in range(n)
    ]


def raw_baseline(path: Path, items: list[FetchedItem], source: str) -> None:
    """The same rows into the same schema with sqlite3.executemany, one transaction."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("BEGIN")
    for _, migration in MIGRATIONS:
        # The migrations take a SQLAlchemy connection; their DDL runs the same through exec_driver_sql's
        # raw-cursor equivalent here.
        migration(_RawDDL(conn))  # type: ignore[arg-type]
    conn.execute("COMMIT")
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    now = datetime.now(UTC).strftime(fmt)

    def when(value: datetime | None) -> str | None:
        return value.astimezone(UTC).strftime(fmt) if value else None

    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO item (id, kind, title, summary, url, published, updated, version, comment, journal_ref,"
        " doi, pdf_url, has_metadata, first_seen, changed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (i.id, i.kind.value, i.title, i.summary, i.url, when(i.published), when(i.updated), i.version,
             i.comment, i.journal_ref, i.doi, i.pdf_url, 1, now, now)
            for i in items
        ],
    )  # fmt: skip
    triage = [(i.id,) for i in items]
    conn.executemany("INSERT INTO triage (item_id, status, starred) VALUES (?, 'new', 0)", triage)
    conn.executemany(
        "INSERT INTO item_author (item_id, position, name, affiliations) VALUES (?,?,?,?)",
        [(i.id, n, a.name, json.dumps(list(a.affiliations))) for i in items for n, a in enumerate(i.authors)],
    )
    conn.executemany(
        "INSERT INTO item_category (item_id, position, category) VALUES (?,?,?)",
        [(i.id, n, c) for i in items for n, c in enumerate(i.categories)],
    )
    conn.executemany(
        "INSERT INTO paper_version (item_id, version, first_seen) VALUES (?,?,?)",
        [(i.id, i.version, now) for i in items if i.version is not None],
    )
    conn.executemany(
        "INSERT INTO item_source (item_id, source, first_seen, last_seen) VALUES (?,?,?,?)",
        [(i.id, source, now, now) for i in items],
    )
    conn.execute("COMMIT")
    conn.close()


class _RawDDL:
    """Just enough of a SQLAlchemy connection for the migrations' DDL."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def exec_driver_sql(self, statement: str) -> None:
        self.conn.execute(statement)


def timed(work: Callable[[], object]) -> float:
    """Seconds ``work`` takes."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def main() -> int:
    """Run the benchmark and print its figures."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    corpus = corpus_dir()
    if not (corpus / "arxiv-api").is_dir():
        print(f"no corpus at {corpus} (set KB_CORPUS)", file=sys.stderr)
        return 2
    papers = recorded_papers(corpus)
    items = replicate(papers, n)
    authors = sum(len(i.authors) for i in items)
    categories = sum(len(i.categories) for i in items)
    print(f"{len(papers)} recorded papers -> {n} papers, {authors} author rows, {categories} category rows")
    with tempfile.TemporaryDirectory() as tmp:
        raw_s = timed(lambda: raw_baseline(Path(tmp) / "raw.sqlite", items, "bench"))
        store = Store.open(Path(tmp) / "kb.sqlite")
        store_s = timed(lambda: store.upsert_items(items, "bench"))
        again_s = timed(lambda: store.upsert_items(items, "bench"))
        newer = [dataclasses.replace(i, version=(i.version or 1) + 1, title=i.title + " v2") for i in items]
        newer_s = timed(lambda: store.upsert_items(newer, "bench"))
        batched = Store.open(Path(tmp) / "batched.sqlite")
        batches = [items[k : k + 100] for k in range(0, n, 100)]
        batched_s = timed(lambda: [batched.upsert_items(b, "bench") for b in batches])
        store.close()
        batched.close()
    raw_rate, store_rate = n / raw_s, n / store_s
    print(f"raw sqlite3.executemany  {raw_rate:10,.0f} papers/s  ({raw_s:.2f} s)")
    print(f"Store.upsert_items (new) {store_rate:10,.0f} papers/s  ({store_s:.2f} s)")
    print(f"ratio store/raw          {store_rate / raw_rate:10.2f}   (target >= 0.33, and > 5,000 papers/s)")
    print(f"re-store, all unchanged  {n / again_s:10,.0f} papers/s  ({again_s:.2f} s)")
    print(f"newer versions, updated  {n / newer_s:10,.0f} papers/s  ({newer_s:.2f} s)")
    print(f"new, in batches of 100   {n / batched_s:10,.0f} papers/s  ({batched_s:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
