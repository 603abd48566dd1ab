"""The reader's Markdown on every recorded blog post: are tables and inline code rendered right?

Each post's sanitized HTML (read by kb's feed reader) is converted by kb.tui.htmlmd, read back with
markdown-it's "gfm-like" parser (Textual's), and compared with the HTML (tests/support/markdown_check.py:
a table must keep its rows and each cell's words, inline code its exact text). Prints the counts, the
posts that fail and the conversion time.

    python benchmarks/reader_markdown.py [--corpus ../shared/corpus] [--show 10]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.tui.htmlmd import html_to_markdown
from tests.support.markdown_check import Tally, check_post, corpus_posts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = os.environ.get("KB_CORPUS") or str(Path(__file__).resolve().parent.parent.parent / "shared" / "corpus")
    parser.add_argument("--corpus", default=default)
    parser.add_argument("--show", type=int, default=10, help="failing post ids printed per kind")
    args = parser.parse_args()
    posts = list(corpus_posts(Path(args.corpus)))
    tally = Tally()
    started = time.perf_counter()
    for post_id, html in posts:
        check_post(post_id, html, lambda h: html_to_markdown(h, limit=len(h) + 1), tally)
    elapsed = time.perf_counter() - started
    print(f"{tally.posts} posts with HTML ({elapsed:.2f} s to convert and check)")
    print(
        f"  tables:      {tally.tables_right}/{tally.with_tables} posts right; wrong: {tally.tables_wrong[: args.show]}"
    )
    print(f"  inline code: {tally.code_right}/{tally.with_code} posts right; wrong: {tally.code_wrong[: args.show]}")


if __name__ == "__main__":
    main()
