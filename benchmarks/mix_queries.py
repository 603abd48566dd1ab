"""The 200-query mix on an existing workspace, query by query: kb (through the library) beside a bare Whoosh
searcher over the same index, and the slowest queries with both times.

    python benchmarks/mix_queries.py --workspace DIR [--queries 200] [--slowest 25]

DIR is a workspace of benchmarks/scale.py with its index built (`kb reindex`). The bare searcher runs only on a
Whoosh index (on tantivy only kb's times are printed). To compare two versions of kb, run the script from each
checkout in turn, in the same minutes: these machines are noisy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from scale import whoosh_dir  # noqa: E402
from search import BareSearch, load_pool, make_queries, p95  # noqa: E402

from benchmarks.corpus import corpus_dir  # noqa: E402
from kb.library import Library  # noqa: E402


def _ms(fn: object, *args: object) -> float:
    start = time.perf_counter()
    fn(*args)  # type: ignore[operator]
    return (time.perf_counter() - start) * 1000


def _summary(name: str, values: Sequence[float]) -> None:
    median, worst = statistics.median(values), max(values)
    print(f"{name}: median {median:.1f} ms, p95 {p95(list(values)):.1f} ms, max {worst:.1f} ms")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--slowest", type=int, default=25)
    parser.add_argument("--corpus", type=Path, default=None, help="default: $KB_CORPUS or ../shared/corpus")
    args = parser.parse_args(argv)
    corpus = corpus_dir(args.corpus)
    mix = make_queries(load_pool(corpus), args.queries)
    index = whoosh_dir(args.workspace)
    rows: list[tuple[float, float | None, str]] = []
    with Library.open(args.workspace) as library:
        library.search("warm up", limit=20)
        bare = None
        if index is not None:
            from whoosh import index as wix

            bare = BareSearch(wix.open_dir(str(index)))
        for kb_query, bare_query in mix:
            kb_ms = _ms(library.search, kb_query, 20)
            rows.append((kb_ms, _ms(bare, bare_query) if bare else None, kb_query))
    _summary(f"{len(rows)}-query mix, kb", [kb for kb, _, _ in rows])
    if bare is not None:
        _summary(f"{len(rows)}-query mix, bare Whoosh searcher (baseline)", [b for _, b, _ in rows if b is not None])
    print(f"slowest {args.slowest} (kb ms, bare ms, query):")
    for kb_ms, bare_ms, query in sorted(rows, reverse=True)[: args.slowest]:
        print(f"  {kb_ms:8.1f} {'-' if bare_ms is None else f'{bare_ms:.1f}':>8}  {query}")


if __name__ == "__main__":
    main()
