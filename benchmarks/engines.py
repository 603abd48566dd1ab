"""The two search engines side by side: the same documents, the same 200-query mix, the same run.

Documents are made from the recorded corpus exactly as benchmarks/search.py makes them (real titles,
sentences, authors and categories recombined), so the figures compare with that benchmark's. For each
engine (``search.engine`` in feeds.yaml: whoosh, tantivy), printed one per line:

- the rebuild (SearchIndex.rebuild, the path of `kb reindex`): seconds and documents per second;
- the query mix through SearchIndex.search, top 20 with snippets and the exact total: median, p95, max,
  and the five slowest queries;
- adding 2,000 new documents to the built index (one update, one commit);
- the index's size on disk.

    python benchmarks/engines.py [--papers 100000] [--queries 200] [--engines whoosh,tantivy]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import corpus_dir
from benchmarks.search import batches, latencies, load_pool, make_docs, make_queries, p95, timed
from kb.models import IndexDoc


def bench_engine(engine: str, docs: Sequence[IndexDoc], fresh: Sequence[IndexDoc], mix: list[str], work: Path) -> None:
    from kb.index import SearchIndex

    ix = SearchIndex.open(work / engine, engine=engine)
    seconds = timed(lambda: ix.rebuild(batches(docs)))
    assert ix.doc_count() == len(docs), ix.doc_count()
    print(f"[{engine}] rebuild: {seconds:.1f} s ({len(docs) / seconds:,.0f} docs/s)")
    ms = latencies(lambda q: ix.search(q, limit=20), mix)
    print(
        f"[{engine}] {len(mix)}-query mix, top 20 + snippets: median {statistics.median(ms):.1f} ms, "
        f"p95 {p95(ms):.1f} ms, max {max(ms):.1f} ms"
    )
    slow = sorted(zip(ms, mix, strict=True), reverse=True)[:5]
    print(f"[{engine}] slowest: " + ", ".join(f"{q!r} {t:.0f} ms" for t, q in slow))
    add = timed(lambda: ix.update(fresh))
    assert ix.doc_count() == len(docs) + len(fresh)
    print(f"[{engine}] adding {len(fresh):,} documents: {add:.2f} s")
    print(f"[{engine}] size on disk: {ix.size_on_disk() / 1e6:.0f} MB, {ix.segments()} segments")
    ix.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--engines", default="whoosh,tantivy")
    parser.add_argument("--corpus", type=Path, default=None, help="default: $KB_CORPUS or ../shared/corpus")
    args = parser.parse_args(argv)
    corpus = corpus_dir(args.corpus)
    pool = load_pool(corpus)
    docs = make_docs(pool, args.papers, 1000)
    fresh = make_docs(pool, 2000, 0, seed=99, id_base=args.papers)
    mix = [kb for kb, _ in make_queries(pool, args.queries)]
    print(
        f"{args.papers:,} papers + 1,000 notes ({len(docs):,} documents), python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cpus"
    )
    work = Path(tempfile.mkdtemp(prefix="kb-engines-"))
    try:
        for engine in args.engines.split(","):
            bench_engine(engine, docs, fresh, mix, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
