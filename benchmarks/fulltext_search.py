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

The texts are the recorded papers' own (corpus/fulltext: arXiv's HTML rendering of 2501.11120v1 and five arXiv
PDFs), extracted by kb's readers as `kb fetch` does, then replicated onto distinct papers of the workspace (the
n-th text stored is paper n mod 6's, under the workspace paper's id). The full-text queries are drawn, seeded, from
those texts' own words, phrases, method and reference sections, and LaTeX. Timings on a shared 2-core machine are
noisy: compare a figure with its baseline from the same run.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import itertools
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

from benchmarks.corpus import corpus_dir  # noqa: E402
from kb.index.analysis import STOP_WORDS  # noqa: E402
from kb.models import FullText, SectionKind  # noqa: E402
from tests.support.inside import store_of  # noqa: E402

#: The recorded papers (corpus/fulltext, provenance in its SOURCES.md): arXiv's HTML rendering of one, five PDFs.
HTML_FILES = ("arxiv-html_2501.11120v1.html",)
PDF_FILES = (
    "arxiv-pdf_2203.00130v1.pdf",
    "arxiv-pdf_2206.10883v3.pdf",
    "arxiv-pdf_2302.07302v1.pdf",
    "arxiv-pdf_2304.02623v1.pdf",
    "arxiv-pdf_1903.10676.pdf",
)


def corpus_texts(corpus: Path) -> list[FullText]:
    """The recorded papers' full texts, extracted by kb's own readers (what `kb fetch` stores)."""
    from kb.fetchers.fulltext_html import parse_arxiv_html
    from kb.fetchers.fulltext_pdf import parse_pdf

    folder = corpus / "fulltext"
    texts = [parse_arxiv_html((folder / name).read_bytes(), "arxiv:2501.11120", 1) for name in HTML_FILES]
    texts += [parse_pdf((folder / name).read_bytes(), f"arxiv:{name[10:-4]}", None) for name in PDF_FILES]
    return texts


def fulltext(texts: Sequence[FullText], item_id: str, n: int) -> FullText:
    """The ``n``-th replica: one of the recorded papers' texts, stored for the paper ``item_id``."""
    return dataclasses.replace(texts[n % len(texts)], item_id=item_id)


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


def _words(text: str) -> list[str]:
    """The words a person would search for (no stop words: a query of those alone is refused)."""
    return [w for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in STOP_WORDS]


def body_mix(pool: Pool, texts: Sequence[FullText], count: int, seed: int = 13) -> list[str]:
    """The query mix with every fourth query replaced by a full-text one drawn from the recorded papers' own
    words and phrases: a section's word (`body:`), two consecutive words (`body:"..."`), a word of a method or
    of a references section (`in:method`, `in:references`), and their most frequent LaTeX command (`body:\\langle`)."""
    rng = random.Random(seed)
    sections = [section for text in texts for section in text.sections if len(_words(section.text)) > 20]
    freq: dict[str, int] = {}
    for section in sections:
        for word in set(_words(section.text)):
            freq[word] = freq.get(word, 0) + 1
    # words some papers share but not all: the kind a person searches a full text for
    shared = sorted(w for w, n in freq.items() if 2 <= n <= len(sections) // 3)
    # the texts' most frequent LaTeX command (2501.11120's math: \\langle), searched as it is written
    commands = collections.Counter(m for s in sections for m in re.findall(r"\\[A-Za-z]+", s.text))
    latex = commands.most_common(1)[0][0] if commands else "\\mathcal"

    def from_kind(kind: SectionKind) -> str:
        of_kind = [s for s in sections if s.kind is kind] or sections
        return rng.choice(_words(rng.choice(of_kind).text))

    out = []
    for n, (query, _) in enumerate(make_queries(pool, count)):
        if n % 4:
            out.append(query)
            continue
        words = rng.choice(sections).text.split()
        pairs = [
            (x, y)
            for x, y in itertools.pairwise(words)
            if re.fullmatch(r"[A-Za-z]{3,}", x)
            and re.fullmatch(r"[A-Za-z]{3,}", y)
            and x.lower() not in STOP_WORDS
            and y.lower() not in STOP_WORDS
        ]
        phrase = " ".join(rng.choice(pairs)) if pairs else ""
        a, b = rng.choice(shared), rng.choice(shared)
        out.append(
            rng.choice(
                [
                    f"body:{a}",
                    f'body:"{phrase}"' if phrase else f"body:{a}",
                    f"in:method {from_kind(SectionKind.METHOD)}",
                    f"in:references {from_kind(SectionKind.REFERENCES)}",
                    f"{b} body:{a}",
                    f"in:(method OR experiments) {a} {b}",
                    f"body:{latex}",
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


def run_engine(pool: Pool, texts: Sequence[FullText], workspace: Path, engine: str, count: int, queries: int) -> None:
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
    mixed = body_mix(pool, texts, queries)
    with Library.open(workspace) as library:
        library.catch_up_index()
        base_ms = latencies(lambda q: library.search(q, limit=20), base)
        show(f"{engine}: {queries}-query mix, abstract-only index (baseline)", summary(base_ms))

        store = store_of(library)
        text_bytes = 0
        started = time.perf_counter()
        for n, item_id in enumerate(ids):  # one text at a time: the builder stays small
            text = fulltext(texts, item_id, n)
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
    corpus = corpus_dir(args.corpus)
    pool = load_pool(corpus)
    texts = corpus_texts(corpus)
    print(f"full texts: {len(texts)} recorded papers, {sum(t.size for t in texts) / 1e3:.0f} KB extracted", flush=True)
    workspace = args.workspace.resolve()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus (shared: timings are noisy)", flush=True)
    if stored_papers(workspace) == 0:
        started = time.perf_counter()
        build(pool, workspace, args.items, 2_000)
        print(f"build: {time.perf_counter() - started:.0f} s", flush=True)
    for engine in args.engines.split(","):
        run_engine(pool, texts, workspace, engine.strip(), args.texts, args.queries)
    return 0


if __name__ == "__main__":
    sys.exit(main())
