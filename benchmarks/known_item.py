"""Known-item search on the recorded corpus: success@1 of the three queries a person types for a paper.

For every recorded paper (arXiv API responses and RSS announcements in the corpus): all its title's words,
three title words, and ``author:Surname`` with two title words, searched in a real index of every recorded
paper and blog post. Prints success@1 per kind of query and engine, and the misses (at most --misses each).
tests/index/test_known_item.py asserts the floor (0.98) on the same queries.

    python benchmarks/known_item.py [--corpus ../shared/corpus] [--misses 10]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.index import ENGINES, SearchIndex
from tests.support.known_item import known_item_docs, measure


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = os.environ.get("KB_CORPUS") or str(Path(__file__).resolve().parent.parent.parent / "shared" / "corpus")
    parser.add_argument("--corpus", default=default)
    parser.add_argument("--misses", type=int, default=10, help="misses printed per kind of query")
    args = parser.parse_args()
    papers, docs = known_item_docs(Path(args.corpus))
    print(f"{len(papers)} papers asked for, in an index of {len(docs)} documents (papers and blog posts)")
    for engine in ENGINES:
        with tempfile.TemporaryDirectory() as folder, SearchIndex.open(Path(folder), procs=1, engine=engine) as ix:
            ix.rebuild([docs])
            started = time.perf_counter()

            def first_hit(query: str, ix: SearchIndex = ix) -> str | None:
                hits = ix.search(query, limit=1).hits
                return hits[0].id if hits else None

            outcomes = measure(papers, first_hit)
            elapsed = time.perf_counter() - started
            asked = sum(o.asked for o in outcomes.values())
            print(f"\n{engine}: {asked} queries in {elapsed:.1f} s")
            for kind, outcome in outcomes.items():
                print(
                    f"  {kind:<20} success@1 {outcome.success:.3f} ({outcome.first}/{outcome.asked}; "
                    f"{outcome.ambiguous} papers not asked: every choice of words names another paper too)"
                )
                for paper_id, query, top in outcome.misses[: args.misses]:
                    print(f"      miss {paper_id}: {query!r} -> {top}")


if __name__ == "__main__":
    main()
