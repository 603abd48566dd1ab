"""Benchmark kb.index against bare Whoosh on workspaces of 10,000 and 100,000 papers plus 1,000 notes.

Documents are made from the recorded corpus (real arXiv titles, abstracts, authors and categories, and the
text of real blog posts), recombined sentence by sentence into distinct documents. Printed, each beside a
baseline measured in the same run on the same documents:

(a) indexing throughput: SearchIndex.rebuild vs a bare Whoosh writer with default settings and a default
    StandardAnalyzer schema with the same fields;
(b) latency of 200 queries (words, phrases, fields, prefixes, date ranges), top 20 with snippets and the
    total count, vs the bare Whoosh searcher (MultifieldParser, highlights);
(c) adding 2,000 new documents to the built index.

    python benchmarks/search.py [--sizes 10000,100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import html
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.corpus import corpus_dir
from kb.fetchers.arxiv_atom import parse_api_response
from kb.fetchers.arxiv_rss import parse_announcements
from kb.models import IndexDoc, Kind, Status

# --- the recorded corpus -------------------------------------------------------------------------


@dataclass
class Pool:
    """Real pieces to recombine: titles, sentences, author names, categories, comments."""

    titles: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    note_lines: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


def _clean(text: str) -> str:
    text = html.unescape(re.sub(r"<[^>]+>", " ", text or ""))
    return re.sub(r"\s+", " ", text).strip()


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", _clean(text)) if 30 <= len(s) <= 400]


def load_pool(corpus: Path) -> Pool:
    """Titles, sentences, names and categories from arxiv-api, arxiv-rss and blogs."""
    pool = Pool()
    for path in sorted((corpus / "arxiv-api").glob("*.xml")):
        for paper in parse_api_response(path.read_bytes()).papers:
            pool.titles.append(_clean(paper.title))
            pool.sentences += _sentences(paper.summary)
            pool.authors += [_clean(author.name) for author in paper.authors]
            pool.categories += list(paper.categories)
            pool.comments.append(_clean(paper.comment or ""))
    for path in sorted((corpus / "arxiv-rss").glob("*.xml")):
        for item in parse_announcements(path.read_bytes()).items:
            pool.titles.append(_clean(item.title))
            pool.sentences += _sentences(item.summary)
            pool.authors += [author.name for author in item.authors]
            pool.categories += list(item.categories)
    import feedparser  # only the benchmark reads blogs directly; kb does it in kb.fetchers

    for path in sorted((corpus / "blogs").glob("*.xml")):
        for entry in feedparser.parse(path.read_bytes()).entries:
            pool.titles.append(_clean(entry.get("title", "")))
            body = entry.get("content", [{}])[0].get("value") or entry.get("summary", "")
            lines = _sentences(body)
            pool.sentences += lines
            pool.note_lines += lines
    pool.titles = sorted({t for t in pool.titles if t})
    pool.sentences = sorted(set(pool.sentences))
    pool.note_lines = sorted(set(pool.note_lines))
    pool.authors = sorted({a for a in pool.authors if a})
    pool.categories = sorted({c for c in pool.categories if re.fullmatch(r"[a-z\-]+(\.[A-Za-z\-]+)?", c)})
    pool.comments = sorted({c for c in pool.comments if c})
    return pool


def make_docs(pool: Pool, papers: int, notes: int, seed: int = 7, id_base: int = 0) -> list[IndexDoc]:
    """``papers`` distinct papers and ``notes`` notes that link some of them, deterministically."""
    rng = random.Random(seed + id_base)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    docs: list[IndexDoc] = []
    for n in range(id_base, id_base + papers):
        a, b = rng.sample(pool.titles, 2)
        wa, wb = a.split(), b.split()
        title = " ".join(wa[: max(1, len(wa) // 2)] + wb[len(wb) // 2 :])
        published = start + timedelta(minutes=rng.randrange(0, 12 * 365 * 24 * 60))
        docs.append(
            IndexDoc(
                id=f"arxiv:{1501 + n // 90000:04d}.{10000 + n % 90000:05d}",
                kind=Kind.PAPER,
                title=title,
                text=" ".join(rng.sample(pool.sentences, rng.randint(4, 9))),
                authors=tuple(rng.sample(pool.authors, rng.randint(1, 6))),
                categories=tuple(rng.sample(pool.categories, rng.randint(1, 3))),
                sources=(rng.choice(["cs.LG", "cs.CL", "transformers", "medical-imaging"]),),
                status=rng.choice([Status.NEW, Status.NEW, Status.READ, Status.SKIPPED]),
                starred=rng.random() < 0.05,
                tags=tuple(rng.sample(["to-read", "rl", "vision", "theory", "llm"], rng.randint(0, 2))),
                published=published,
                comment=rng.choice(pool.comments) if rng.random() < 0.5 else None,
            )
        )
    for n in range(notes):
        linked = rng.sample(docs[:papers], 2)
        lines = rng.sample(pool.note_lines, rng.randint(3, 12))
        docs.append(
            IndexDoc(
                id=f"note:bench/{id_base}-{n}.md",
                kind=Kind.NOTE,
                title=rng.choice(pool.titles),
                text="\n".join(lines + [f"See [[{d.id}]]." for d in linked]),
                tags=("notes",),
                linked_papers=tuple(d.id for d in linked),
                linked_titles=tuple(d.title for d in linked),
            )
        )
    return docs


# --- the bare Whoosh baseline --------------------------------------------------------------------


def bare_schema() -> object:
    """Default StandardAnalyzer fields, the same ones kb has."""
    from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, TEXT, Schema

    return Schema(
        id=ID(stored=True, unique=True),
        kind=ID(stored=True),
        title=TEXT(stored=True),
        text=TEXT(stored=True),
        authors=TEXT,
        extra=TEXT,
        cat=KEYWORD(lowercase=True, commas=True),
        tags=KEYWORD(lowercase=True, commas=True),
        sources=KEYWORD(lowercase=True, commas=True),
        links=KEYWORD(commas=True),
        status=ID,
        starred=BOOLEAN,
        has_note=BOOLEAN,
        year=ID,
        published=DATETIME(stored=True, sortable=True),
    )


def bare_fields(doc: IndexDoc) -> dict[str, object]:
    """The same document for the bare schema."""
    fields: dict[str, object] = {
        "id": doc.id,
        "kind": doc.kind.value,
        "title": doc.title,
        "text": doc.text,
        "authors": " ".join(doc.authors),
        "extra": " ".join([doc.comment or "", doc.journal_ref or "", *doc.linked_titles, *doc.tags]),
        "cat": ",".join(doc.categories),
        "tags": ",".join(doc.tags),
        "sources": ",".join(doc.sources),
        "links": ",".join(doc.linked_papers),
        "starred": doc.starred,
        "has_note": doc.has_note,
    }
    if doc.status is not None:
        fields["status"] = doc.status.value
    if doc.published is not None:
        fields["published"] = doc.published.replace(tzinfo=None)
        fields["year"] = str(doc.published.year)
    return fields


def bare_build(path: Path, docs: Sequence[IndexDoc]) -> object:
    """A bare Whoosh writer with default settings, one commit."""
    from whoosh import index

    path.mkdir(parents=True)
    ix = index.create_in(str(path), bare_schema())
    writer = ix.writer()
    for doc in docs:
        writer.add_document(**bare_fields(doc))
    writer.commit()
    return ix


class BareSearch:
    """MultifieldParser over the default fields, top 20, exact total, highlighted text."""

    def __init__(self, ix: object) -> None:
        from whoosh.qparser import MultifieldParser
        from whoosh.qparser.dateparse import DateParserPlugin

        self.searcher = ix.searcher()  # type: ignore[attr-defined]
        self.parser = MultifieldParser(["title", "text", "authors", "extra"], ix.schema)  # type: ignore[attr-defined]
        self.parser.add_plugin(DateParserPlugin(basedate=datetime(2026, 11, 22)))

    def __call__(self, text: str) -> int:
        results = self.searcher.search(self.parser.parse(text), limit=20)
        for hit in results:
            hit.highlights("text")
        return len(results)


# --- the query mix -------------------------------------------------------------------------------


def make_queries(pool: Pool, count: int, seed: int = 11) -> list[tuple[str, str]]:
    """(kb query, the same for bare Whoosh): words, phrases, fields, prefixes, dates, OR/NOT."""
    rng = random.Random(seed)
    freq: dict[str, int] = {}
    for sentence in pool.sentences:
        for word in re.findall(r"[a-z]{4,}", sentence.lower()):
            freq[word] = freq.get(word, 0) + 1
    ranked = sorted(freq, key=lambda w: -freq[w])
    common, mid = ranked[20:300], ranked[300:4000]
    names = [a.split()[-1] for a in pool.authors if a.split()[-1].isalpha()]
    out: list[tuple[str, str]] = []
    while len(out) < count:
        a, b, c = rng.choice(mid), rng.choice(common), rng.choice(mid)
        sentence = rng.choice(pool.sentences).split()
        start = rng.randrange(max(1, len(sentence) - 3))
        phrase = " ".join(re.sub(r"[^\w\-]", "", w) for w in sentence[start : start + rng.choice([2, 3])])
        year = rng.randint(2016, 2025)
        name = rng.choice(names)
        choices = [
            (a, a),
            (f"{b} {c}", f"{b} {c}"),
            (f"{a} {b} {c}", f"{a} {b} {c}"),
            (f'"{phrase}"', f'"{phrase}"'),
            (f"title:{a}", f"title:{a}"),
            (f"author:{name}", f"authors:{name}"),
            (f"{a[:5]}*", f"{a[:5]}*"),
            (f"{b} published:{year}-01..{year}-06", f"{b} published:[{year}-01 to {year}-06]"),
            (f"{c} year:{year}", f"{c} year:{year}"),
            (f"{b} OR {c}", f"{b} OR {c}"),
            (f"{b} -{c}", f"{b} NOT {c}"),
            (f"{a} cat:cs.LG", f"{a} cat:cs.lg"),
            (f"{b} is:starred", f"{b} starred:true"),
        ]
        out.append(rng.choice(choices))
    return out


# --- running -------------------------------------------------------------------------------------


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def latencies(run: Callable[[str], object], queries: Sequence[str]) -> list[float]:
    """Milliseconds per query, after one warm-up pass over the whole mix."""
    for q in queries:
        run(q)
    return [timed(lambda q=q: run(q)) * 1000 for q in queries]  # type: ignore[misc]


def p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95) - 1]


def batches(docs: Sequence[IndexDoc], size: int = 1000) -> Iterator[Sequence[IndexDoc]]:
    for i in range(0, len(docs), size):
        yield docs[i : i + size]


def bench_size(pool: Pool, papers: int, queries: int, work: Path) -> None:
    from kb.index import SearchIndex

    docs = make_docs(pool, papers, 1000)
    print(f"\n== {papers:,} papers + 1,000 notes ({len(docs):,} documents)")
    bare_ix: list[object] = []
    bare_s = timed(lambda: bare_ix.append(bare_build(work / f"bare{papers}", docs)))
    kb = SearchIndex.open(work / f"kb{papers}")
    kb_s = timed(lambda: kb.rebuild(batches(docs)))
    assert kb.doc_count() == len(docs), kb.doc_count()
    bare_rate, kb_rate = len(docs) / bare_s, len(docs) / kb_s
    print(
        f"(a) indexing   bare writer {bare_rate:7.0f} docs/s ({bare_s:5.1f} s)   kb rebuild {kb_rate:7.0f} docs/s"
        f" ({kb_s:5.1f} s)   kb/bare {kb_rate / bare_rate:.2f}x"
    )

    mix = make_queries(pool, queries)
    bare = BareSearch(bare_ix[0])
    bare_ms = latencies(bare, [b for _, b in mix])
    kb_ms = latencies(lambda q: kb.search(q, limit=20), [k for k, _ in mix])
    print(
        f"(b) {len(mix)} queries  bare median {statistics.median(bare_ms):6.1f} ms  p95 {p95(bare_ms):6.1f} ms"
        f"  max {max(bare_ms):6.1f} ms"
    )
    print(
        f"                 kb   median {statistics.median(kb_ms):6.1f} ms  p95 {p95(kb_ms):6.1f} ms"
        f"  max {max(kb_ms):6.1f} ms   (median {statistics.median(kb_ms) / statistics.median(bare_ms):.2f}x,"
        f" p95 {p95(kb_ms) / p95(bare_ms):.2f}x of bare)"
    )
    slow = sorted(zip(kb_ms, (k for k, _ in mix), strict=True), reverse=True)[:5]
    print("                 kb's slowest: " + ", ".join(f"{q!r} {ms:.0f} ms" for ms, q in slow))

    fresh = make_docs(pool, 2000, 0, seed=99, id_base=papers)
    from whoosh import index as wix

    def bare_add() -> None:
        writer = wix.open_dir(str(work / f"bare{papers}")).writer()
        for doc in fresh:
            writer.update_document(**bare_fields(doc))
        writer.commit()

    bare_add_s = timed(bare_add)
    kb_add_s = timed(lambda: kb.update(fresh))
    assert kb.doc_count() == len(docs) + len(fresh)
    print(f"(c) adding 2,000 docs  bare update_document+commit {bare_add_s:5.2f} s   kb update {kb_add_s:5.2f} s")
    kb.close()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated paper counts")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--corpus", type=Path, default=None, help="default: $KB_CORPUS or ../shared/corpus")
    args = parser.parse_args(argv)
    corpus = corpus_dir(args.corpus)
    pool = load_pool(corpus)
    print(
        f"pool: {len(pool.titles)} titles, {len(pool.sentences)} sentences, {len(pool.authors)} authors "
        f"(python {sys.version.split()[0]}, {os.cpu_count()} cpus)"
    )
    work = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            bench_size(pool, size, args.queries, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
