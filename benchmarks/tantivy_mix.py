"""The 200-query mix (benchmarks/search.py's generator) on a built tantivy index, kb against its own engine.

For each query of the mix, on the index of a workspace (``.kb/index``, built by `kb reindex` with
``search: {engine: tantivy}``), in one process and one run:

- kb: SearchIndex.search, top 20 with snippets and the exact total (what `kb search` and the TUI run);
- the stages of it: compiling the query, the engine's search (top 20 and the total), making the 20 hits;
- bare tantivy: the same compiled query, top 20 by score without the count, no stored fields read.

Printed: median, p95 and max of each, the slowest queries with their stages, and the load average. With
``--profile N``, cProfile of the N slowest queries (kb's search, 20 repeats each).

    python benchmarks/tantivy_mix.py --workspace DIR [--queries 200] [--profile 3]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import corpus_dir
from benchmarks.search import load_pool, make_queries, p95


def _stats(values: Sequence[float]) -> str:
    v = list(values)
    return f"median {statistics.median(v):.1f} ms, p95 {p95(v):.1f} ms, max {max(v):.1f} ms"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--profile", type=int, default=0, help="cProfile the N slowest queries")
    parser.add_argument("--dump", type=Path, default=None, help="write every query's results here (JSON) and stop")
    parser.add_argument("--corpus", type=Path, default=None, help="default: $KB_CORPUS or ../shared/corpus")
    args = parser.parse_args(argv)
    corpus = corpus_dir(args.corpus)
    import kb
    from kb.index import SearchIndex

    mix = [q for q, _ in make_queries(load_pool(corpus), args.queries)]
    ix = SearchIndex.open(args.workspace / ".kb" / "index", engine="tantivy")
    engine = ix._engine  # the benchmark times the stages inside the index
    print(f"code: {Path(kb.__file__).parent}, {ix.doc_count():,} documents, load {os.getloadavg()[0]:.1f}")

    if args.dump is not None:  # to check that two versions of kb return the same: diff the two files
        out = {}
        for q in mix:
            for sort in ("relevance", "date"):
                r = ix.search(q, limit=20, sort=sort)
                out[f"{sort} {q}"] = [r.total, [[h.id, h.score, h.snippet, h.section] for h in r.hits]]
        args.dump.write_text(json.dumps(out, indent=1, ensure_ascii=False))
        return
    first = []
    for q in mix:  # the first pass: caches cold (the index's pages are in memory after it)
        t = time.perf_counter()
        ix.search(q, limit=20)
        first.append((time.perf_counter() - t) * 1000)
    print(f"{len(mix)}-query mix, first pass (cold caches): {_stats(first)}")
    kb_ms, compile_ms, engine_ms, hits_ms, bare_ms = [], [], [], [], []
    for q in mix:
        t0 = time.perf_counter()
        ix.search(q, limit=20)
        t1 = time.perf_counter()
        compiled = engine.compile(q, None)
        t2 = time.perf_counter()
        gen = ix._gen
        assert gen is not None
        searcher = gen._fresh()
        total = getattr(gen, "_total", None)  # kb before this benchmark counted with the top hits
        if total is None:
            found = searcher.search(compiled.query, 20, count=True)
        else:
            found = searcher.search(compiled.query, 20, count=False)
            total(searcher, compiled, len(found.hits), 20)
        t3 = time.perf_counter()
        for score, address in found.hits:
            gen._hit(searcher, score, address, compiled, False, ("«", "»"))
        t4 = time.perf_counter()
        searcher.search(compiled.query, 20, count=False)
        t5 = time.perf_counter()
        kb_ms.append((t1 - t0) * 1000)
        compile_ms.append((t2 - t1) * 1000)
        engine_ms.append((t3 - t2) * 1000)
        hits_ms.append((t4 - t3) * 1000)
        bare_ms.append((t5 - t4) * 1000)
    print(f"{len(mix)}-query mix, kb (top 20 + snippets + total): {_stats(kb_ms)}")
    print(f"  stage compile: {_stats(compile_ms)}")
    print(f"  stage engine: top 20 and the total: {_stats(engine_ms)}")
    print(f"  stage 20 hits (stored fields + snippets): {_stats(hits_ms)}")
    print(f"bare tantivy, same compiled query, top 20 without count: {_stats(bare_ms)}")
    order = sorted(range(len(mix)), key=lambda i: -kb_ms[i])
    print("slowest (kb / compile / engine / hits / bare, ms):")
    for i in order[:10]:
        print(
            f"  {mix[i]!r}: {kb_ms[i]:.1f} / {compile_ms[i]:.1f} / {engine_ms[i]:.1f} / "
            f"{hits_ms[i]:.1f} / {bare_ms[i]:.1f}"
        )
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for i in order[: args.profile]:
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(20):
            ix.search(mix[i], limit=20)
        prof.disable()
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(12)
        print(f"--- cProfile, 20 x {mix[i]!r}\n{out.getvalue()}")
    ix.close()


if __name__ == "__main__":
    main()
