"""How long `kb similar` takes (SearchIndex.similar: key terms, the weighted OR, shared words), per engine.

Documents are made from the recorded corpus as benchmarks/search.py makes them (real titles and sentences
recombined), so neighbours share real sentences. For each engine, printed beside a baseline measured in the
same run on the same index: an ordinary search (SearchIndex.search, top 10 with snippets and the exact
total) for the source's strongest key word, and for its three strongest words ANDed.

    python benchmarks/similar.py [--papers 100000] [--sources 100] [--engines whoosh,tantivy]
    python benchmarks/similar.py --workspace /work/scale1m [--engines tantivy]   # an existing index, read only

With ``--workspace`` the index of that workspace (``.kb/index``, of the engine named) is searched as it is;
the sources are new documents made from the same corpus (the workspaces of benchmarks/scale.py are too).
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
from benchmarks.search import batches, load_pool, make_docs, p95, timed
from kb.models import IndexDoc


def figures(name: str, ms: list[float]) -> str:
    return f"{name}: median {statistics.median(ms):.1f} ms, p95 {p95(ms):.1f} ms, max {max(ms):.1f} ms"


def measure(ix: object, engine: str, sources: Sequence[IndexDoc]) -> None:
    from kb.index import SearchIndex

    assert isinstance(ix, SearchIndex)
    for source in sources[:5]:  # warm up: the first queries load the index's files
        ix.similar([source], {source.id}, None, 10)
    similar_ms, one_ms, three_ms, found = [], [], [], 0
    for source in sources:
        result = ix.similar([source], {source.id}, None, 10)
        similar_ms.append(timed(lambda s=source: ix.similar([s], {s.id}, None, 10)) * 1000)  # type: ignore[misc]
        found += len(result.hits)
        if result.terms:
            first = result.terms[0]
            three = " ".join(result.terms[:3])
            one_ms.append(timed(lambda q=first: ix.search(q, limit=10)) * 1000)  # type: ignore[misc]
            three_ms.append(timed(lambda q=three: ix.search(q, limit=10)) * 1000)  # type: ignore[misc]
    print(f"[{engine}] {ix.doc_count():,} documents, {len(sources)} sources, {found / len(sources):.1f} results each")
    print(f"[{engine}] " + figures("similar, top 10 + shared words", similar_ms))
    if one_ms:
        print(f"[{engine}] " + figures("baseline search, strongest word", one_ms))
        print(f"[{engine}] " + figures("baseline search, three strongest words", three_ms))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--engines", default="whoosh,tantivy")
    parser.add_argument("--workspace", type=Path, default=None, help="measure this workspace's index instead")
    parser.add_argument("--corpus", type=Path, default=None, help="default: $KB_CORPUS or ../shared/corpus")
    args = parser.parse_args(argv)
    corpus = corpus_dir(args.corpus)
    pool = load_pool(corpus)
    sources = make_docs(pool, args.sources, 0, seed=123, id_base=5_000_000)
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    from kb.index import SearchIndex

    if args.workspace is not None:
        for engine in args.engines.split(","):
            with SearchIndex.open(args.workspace / ".kb" / "index", engine=engine) as ix:
                if ix.needs_rebuild:
                    print(f"[{engine}] {args.workspace} has no current {engine} index: skipped")
                    continue
                measure(ix, engine, sources)
        return
    docs = make_docs(pool, args.papers, 1000)
    print(f"{args.papers:,} papers + 1,000 notes ({len(docs):,} documents)")
    work = Path(tempfile.mkdtemp(prefix="kb-similar-"))
    try:
        for engine in args.engines.split(","):
            with SearchIndex.open(work / engine, engine=engine) as ix:
                seconds = timed(lambda ix=ix: ix.rebuild(batches(docs)))  # type: ignore[misc]
                print(f"[{engine}] rebuild {seconds:.0f} s")
                measure(ix, engine, sources)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
