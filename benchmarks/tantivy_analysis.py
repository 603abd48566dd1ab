"""tantivy indexing with kb's analysis (what kb does) vs tantivy's own analyzer: CPU seconds.

    python benchmarks/tantivy_analysis.py [--papers 10000]

The same prepared documents (benchmarks/search.py's generator) are indexed twice in this process, one writer
thread each: once as kb's tantivy engine does (kb.index.analysis in Python, each field's terms joined into one
string that tantivy's whitespace tokenizer splits; every field of kb's schema), once
with the fields analysed by a tantivy analyzer close to kb's (regex words with dotted parts, long terms
dropped, lower case, ASCII folding, kb's stop words, Snowball English). CPU time (``time.process_time``,
every thread of this process) rather than wall time, so a busy machine does not decide the ratio. The
analyzer is not kb's: see docs/performance.md for where it differs.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import tantivy

from benchmarks.corpus import corpus_dir
from benchmarks.search import load_pool, make_docs
from kb.index.analysis import STOP_WORDS
from kb.index.document import Prepared, prepare
from kb.index.tantivy_schema import build_schema, register_tokenizer, to_document


def cpu_seconds(work: Callable[[], None]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def kb_analysis(docs: Sequence[Prepared]) -> None:
    ix = tantivy.Index(build_schema(), path=tempfile.mkdtemp(prefix="kb-joined-"), reuse=False)
    register_tokenizer(ix)
    writer = ix.writer(heap_size=256_000_000, num_threads=1)
    for doc in docs:
        writer.add_document(to_document(doc))
    writer.commit()
    writer.wait_merging_threads()


def native(docs: Sequence[Prepared]) -> None:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in ("title", "text", "extra"):
        sb.add_text_field(name, stored=name != "extra", tokenizer_name="kb", index_option="position")
    ix = tantivy.Index(sb.build(), path=tempfile.mkdtemp(prefix="kb-native-"), reuse=False)
    analyzer = (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(r"\w+(?:\.\w+)*"))
        .filter(tantivy.Filter.remove_long(200))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .filter(tantivy.Filter.custom_stopword(sorted(STOP_WORDS)))
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )
    ix.register_tokenizer("kb", analyzer)
    writer = ix.writer(heap_size=256_000_000, num_threads=1)
    for doc in docs:
        out = tantivy.Document()
        out.add_text("id", doc.id)
        out.add_text("title", doc.title)
        out.add_text("text", doc.text)
        out.add_text("extra", doc.extra)
        writer.add_document(out)
    writer.commit()
    writer.wait_merging_threads()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, default=None, help="default: $KB_CORPUS or ../shared/corpus")
    args = parser.parse_args()
    corpus = corpus_dir(args.corpus)
    docs = [p for p in map(prepare, make_docs(load_pool(corpus), args.papers, 0)) if p is not None]
    pre = cpu_seconds(lambda: kb_analysis(docs))
    own = cpu_seconds(lambda: native(docs))
    print(f"{len(docs):,} documents, one writer thread each, CPU seconds:")
    print(f"kb analysis, every field, joined terms: {pre:.2f} s ({len(docs) / pre:,.0f} docs per CPU s)")
    rate = f"{len(docs) / own:,.0f} docs per CPU s"
    print(f"tantivy's own analyzer, title, text and extra only: {own:.2f} s ({rate}), {pre / own:.1f}x")


if __name__ == "__main__":
    main()
