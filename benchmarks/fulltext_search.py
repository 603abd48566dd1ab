"""Full-text search at 100,000 papers (issue 14): 5,000 full texts indexed, the query mix with body: and in:.

    python benchmarks/fulltext_search.py --workspace DIR [--engines tantivy,whoosh] [--texts 5000] [--queries 200]

The workspace is benchmarks/scale.py's (built when DIR holds no papers: 100,000 papers through kb's store path).
For each engine, in one run:

1. ``kb reindex`` with no full texts stored (the store's full texts are removed first), then the index's size and
   the 200-query mix of benchmarks/search.py: the **abstract-only baseline**;
2. 5,000 full texts stored (``Store.save_fulltext``, each queued for the index like a fetched one) and the index
   caught up (``Library.catch_up_index``, timed: what `kb fetch` does after fetching texts), then the index's size
   again: (after - before) / 5,000 is what one full text costs the index;
3. the mix again, a quarter of it replaced by full-text queries (``body:word``, ``body:"a phrase"``,
   ``in:method word``, ``in:references word``, ``word body:word``), and the unchanged mix on the same index.

The texts are synthetic until real extracted ones are at hand: each is ~40 KB of the recorded corpus's arXiv
abstract sentences recombined into the sections of a paper (introduction, related work, three method subsections
with LaTeX math and table captions, experiments, results, discussion, conclusion, references with arXiv ids), with
distinct ids (the workspace's papers). Once kb extracts real texts, :func:`fulltext` is the one function to replace
(e.g. by the corpus papers' extracted sections, replicated onto the workspace's ids). Timings on a shared 2-core
machine are noisy: compare a figure with its baseline from the same run.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from scale import build, kb_run, set_engine, show, stored_papers  # noqa: E402
from search import Pool, latencies, load_pool, make_queries, p95  # noqa: E402

from kb.models import FullText, FullTextSource, Section, SectionKind  # noqa: E402
from tests.support.inside import store_of  # noqa: E402

#: (number, heading, kind, level, kilobytes of text)
LAYOUT = (
    ("1", "Introduction", SectionKind.INTRODUCTION, 1, 5),
    ("2", "Related Work", SectionKind.RELATED, 1, 4),
    ("3", "Method", SectionKind.METHOD, 1, 1),
    ("3.1", "Problem Setting", SectionKind.BACKGROUND, 2, 3),
    ("3.2", "Proposed Approach", SectionKind.METHOD, 2, 4),
    ("3.3", "Training Objective", SectionKind.METHOD, 2, 3),
    ("4", "Experiments", SectionKind.EXPERIMENTS, 1, 1),
    ("4.1", "Experimental Setup", SectionKind.EXPERIMENTS, 2, 3),
    ("4.2", "Datasets and Baselines", SectionKind.EXPERIMENTS, 2, 3),
    ("5", "Results", SectionKind.RESULTS, 1, 5),
    ("6", "Discussion and Limitations", SectionKind.DISCUSSION, 1, 3),
    ("7", "Conclusion", SectionKind.CONCLUSION, 1, 2),
)
MATH = (
    r"$\mathcal{L}(\theta) = -\sum_{i=1}^{n} \log p_\theta(y_i \mid x_i)$",
    r"$\nabla_\theta \mathbb{E}_{x \sim \mathcal{D}}[f(x)]$",
    r"$\|W\|_F \leq \lambda$",
    r"$\operatorname{softmax}(QK^\top / \sqrt{d_k}) V$",
)


def paragraphs(pool: Pool, rng: random.Random, size: int, math: bool) -> str:
    """About ``size`` characters of paragraphs of recombined abstract sentences (with math and a caption)."""
    out: list[str] = []
    length = 0
    while length < size:
        para = " ".join(rng.sample(pool.sentences, rng.randint(3, 6)))
        if math and rng.random() < 0.4:
            para += f" We minimise {rng.choice(MATH)} throughout."
        if rng.random() < 0.1:
            para = f"Table {rng.randint(1, 6)}: {rng.choice(pool.sentences)}"
        out.append(para)
        length += len(para) + 2
    return "\n\n".join(out)


def references(pool: Pool, rng: random.Random, count: int) -> str:
    lines = []
    for n in range(count):
        authors = ", ".join(rng.sample(pool.authors, rng.randint(1, 4)))
        year = rng.randint(2012, 2025)
        arxiv = f"{year % 100:02d}{rng.randint(1, 12):02d}.{rng.randint(1, 29999):05d}"
        lines.append(f"[{n + 1}] {authors}. {rng.choice(pool.titles)}. arXiv:{arxiv}, {year}.")
    return "\n".join(lines)


def fulltext(pool: Pool, item_id: str, seed: int) -> FullText:
    """A synthetic ~40 KB full text of the paper ``item_id``."""
    rng = random.Random(seed)
    sections = [
        Section(heading, paragraphs(pool, rng, kb * 1000, kind is SectionKind.METHOD), kind, number, level)
        for number, heading, kind, level, kb in LAYOUT
    ]
    sections.append(Section("References", references(pool, rng, 30), SectionKind.REFERENCES))
    return FullText(item_id, FullTextSource.HTML, 1, tuple(sections))


def text_ids(workspace: Path, count: int) -> list[str]:
    """``count`` paper ids spread over the workspace (every n-th, by id)."""
    import sqlite3

    with sqlite3.connect(workspace / ".kb" / "kb.sqlite") as conn:
        ids = [row[0] for row in conn.execute("SELECT id FROM item WHERE kind = 'paper' ORDER BY id")]
    step = max(1, len(ids) // count)
    return ids[::step][:count]


def stored_texts(workspace: Path) -> list[str]:
    """The papers whose full text the store holds (an earlier run's)."""
    import sqlite3

    with sqlite3.connect(workspace / ".kb" / "kb.sqlite") as conn:
        return [row[0] for row in conn.execute("SELECT item_id FROM fulltext")]


def body_mix(pool: Pool, count: int, seed: int = 13) -> list[str]:
    """The query mix with every fourth query replaced by a full-text one."""
    rng = random.Random(seed)
    freq: dict[str, int] = {}
    for sentence in pool.sentences:
        for word in re.findall(r"[a-z]{4,}", sentence.lower()):
            freq[word] = freq.get(word, 0) + 1
    ranked = sorted(freq, key=lambda w: -freq[w])
    common, mid = ranked[20:300], ranked[300:4000]
    out = []
    for n, (query, _) in enumerate(make_queries(pool, count)):
        if n % 4:
            out.append(query)
            continue
        a, b, c = rng.choice(mid), rng.choice(common), rng.choice(mid)
        words = rng.choice(pool.sentences).split()
        start = rng.randrange(max(1, len(words) - 3))
        phrase = " ".join(re.sub(r"[^\w\-]", "", w) for w in words[start : start + 2])
        out.append(
            rng.choice(
                [
                    f"body:{a}",
                    f'body:"{phrase}"',
                    f"in:method {a}",
                    f"in:references {b}",
                    f"{b} body:{c}",
                    f"in:(method OR experiments) {b} {c}",
                    "body:\\mathcal",
                ]
            )
        )
    return out


def index_bytes(workspace: Path) -> int:
    root = workspace / ".kb" / "index"
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def summary(ms: list[float]) -> str:
    return f"median {statistics.median(ms):.1f} ms, p95 {p95(ms):.1f} ms, max {max(ms):.1f} ms"


def chunked(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def run_engine(pool: Pool, workspace: Path, engine: str, count: int, queries: int) -> None:
    from kb.library import Library

    print(f"\n== {engine}", flush=True)
    set_engine(workspace, engine)
    ids = text_ids(workspace, count)
    with Library.open(workspace) as library:
        store_of(library).remove_fulltexts(stored_texts(workspace))  # queued; the reindex below clears the queue
    seconds, rss, _ = kb_run(workspace, "reindex")
    before = index_bytes(workspace)
    show(f"{engine}: kb reindex, 100k papers, no full texts", f"{seconds:.0f} s, peak {rss:.0f} MB")
    show(f"{engine}: index size without full texts", f"{before / 1e6:.1f} MB")
    base = [q for q, _ in make_queries(pool, queries)]
    mixed = body_mix(pool, queries)
    with Library.open(workspace) as library:
        library.catch_up_index()
        base_ms = latencies(lambda q: library.search(q, limit=20), base)
        show(f"{engine}: {queries}-query mix, abstract-only index (baseline)", summary(base_ms))

        store = store_of(library)
        text_bytes = 0
        started = time.perf_counter()
        for n, item_id in enumerate(ids):  # one text at a time: the builder stays small
            text = fulltext(pool, item_id, seed=n)
            text_bytes += text.size
            store.save_fulltext(text)
        stored = time.perf_counter() - started
        _, stored_bytes = library.fulltexts.usage()
        show(
            f"{engine}: {len(ids):,} full texts stored",
            f"{stored:.0f} s; text {text_bytes / 1e6:.0f} MB ({text_bytes / len(ids) / 1e3:.1f} KB each), "
            f"compressed in the store {stored_bytes / 1e6:.0f} MB",
        )
        started = time.perf_counter()
        done = library.catch_up_index()
        show(f"{engine}: indexing them (catch-up, {done:,} papers)", f"{time.perf_counter() - started:.0f} s")
        after = index_bytes(workspace)
        show(
            f"{engine}: index size with {len(ids):,} full texts",
            f"{after / 1e6:.1f} MB: +{(after - before) / 1e6:.1f} MB, {(after - before) / len(ids) / 1e3:.1f} KB "
            f"per full text ({(after - before) / max(1, text_bytes):.2f}x the text)",
        )
        body_ms = latencies(lambda q: library.search(q, limit=20), mixed)
        show(f"{engine}: {queries}-query mix with body:/in: (a quarter), full texts indexed", summary(body_ms))
        same_ms = latencies(lambda q: library.search(q, limit=20), base)
        show(f"{engine}: the unchanged mix, full texts indexed", summary(same_ms))
        slow = sorted(zip(body_ms, mixed, strict=True), reverse=True)[:5]
        show(f"{engine}: slowest", ", ".join(f"{q!r} {ms:.0f} ms" for ms, q in slow))
        show(f"{engine}: p95 with body / abstract-only baseline", f"{p95(body_ms) / p95(base_ms):.2f}x")
        full = [q for q in mixed if "body:" in q or "in:" in q]
        found = sum(1 for q in full if library.search(q, limit=20).hits)
        show(f"{engine}: full-text queries (body:, in:) with hits", f"{found} of {len(full)}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--texts", type=int, default=5_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--engines", default="tantivy,whoosh")
    parser.add_argument("--corpus", type=Path, default=None, help="default: $KB_CORPUS or ../shared/corpus")
    args = parser.parse_args(argv)
    corpus = args.corpus or Path(os.environ.get("KB_CORPUS") or REPO.parent / "shared" / "corpus")
    if not corpus.is_dir():
        print(f"recorded corpus not found at {corpus}: pass --corpus or set KB_CORPUS", file=sys.stderr)
        return 2
    pool = load_pool(corpus)
    workspace = args.workspace.resolve()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus (shared: timings are noisy)", flush=True)
    if stored_papers(workspace) == 0:
        started = time.perf_counter()
        build(pool, workspace, args.items, 2_000)
        print(f"build: {time.perf_counter() - started:.0f} s", flush=True)
    for engine in args.engines.split(","):
        run_engine(pool, workspace, engine.strip(), args.texts, args.queries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
