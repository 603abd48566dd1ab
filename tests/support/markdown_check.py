"""Did a post's tables and inline code survive the reader's HTML -> Markdown conversion?

The Markdown is read back with markdown-it's "gfm-like" parser, the one Textual's Markdown widget uses, and
compared with the HTML it came from:

- a table is right when the Markdown holds a table with the same rows and, cell by cell, the same words
  (empty cells aside: Markdown has no colspan, so a spanning cell is followed by empty ones). A table inside
  ``<pre>`` is a code listing's layout (line numbers beside the code), not a table;
- inline code (``<code>`` outside ``<pre>``) is right when a code span holds exactly the same text
  (whitespace runs count as one space), in the same order.

Shared by tests/tui/test_htmlmd_corpus.py (which asserts every recorded post is right) and
benchmarks/reader_markdown.py (which prints the counts and the first failures).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from markdown_it import MarkdownIt

from kb.fetchers.feeds import parse_feed

_WORD = re.compile(r"\w+")
_PARSER = MarkdownIt("gfm-like")
_DROP = {"script", "style", "svg", "math", "head", "title", "noscript"}

Table = list[list[list[str]]]  # rows of cells of words


def corpus_posts(corpus: Path) -> Iterator[tuple[str, str]]:
    """(post id, sanitized HTML) of every recorded blog post that has HTML, read by kb's own feed reader."""
    seen: set[str] = set()
    for path in sorted((corpus / "blogs").glob("*.xml")):
        for item in parse_feed(path.read_bytes(), {}, path.stem, f"https://example.org/{path.name}").items:
            if item.html and item.id not in seen:
                seen.add(item.id)
                yield item.id, item.html


class _HtmlFacts(HTMLParser):
    """The tables (cells as words) and inline code texts of an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self.codes: list[str] = []
        self.depth = 0  # tables open (a nested table's cells count in the outer one's cell)
        self.cell: list[str] | None = None
        self.code: list[str] | None = None
        self.pre = 0
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP:
            self.dropping += 1
        elif tag == "table" and not self.pre:
            self.depth += 1
            if self.depth == 1:
                self.tables.append([])
        elif tag == "tr" and self.depth == 1:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.depth == 1 and self.tables[-1]:
            self.cell = []
            self.tables[-1][-1].append([])
        elif tag == "pre":
            self.pre += 1
        elif tag == "code" and not self.pre and self.code is None:
            self.code = []
        elif tag == "img":
            alt = dict(attrs).get("alt") or ""
            self.data(f" image {alt} ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            self.dropping = max(0, self.dropping - 1)
        elif tag == "table" and not self.pre:
            self.depth = max(0, self.depth - 1)
        elif tag in ("td", "th") and self.depth == 1:
            self.cell = None
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)
        elif tag == "code" and self.code is not None:
            text = " ".join("".join(self.code).split())
            if text:
                self.codes.append(text)
            self.code = None

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.data(data)

    def data(self, text: str) -> None:
        if self.code is not None:
            self.code.append(text)
        if self.cell is not None and self.depth >= 1 and self.tables and self.tables[-1]:
            self.tables[-1][-1][-1].extend(_WORD.findall(text.lower()))


def html_facts(html: str) -> tuple[list[Table], list[str]]:
    """The HTML's tables (rows without cells left out) and its inline code texts."""
    facts = _HtmlFacts()
    facts.feed(html)
    facts.close()
    return _cells(facts.tables), facts.codes


def _cells(tables: list[Table]) -> list[Table]:
    """Tables without empty cells, rows or tables."""
    tables = [[[cell for cell in row if cell] for row in table] for table in tables]
    tables = [[row for row in table if row] for table in tables]
    return [table for table in tables if table]


def markdown_facts(markdown: str) -> tuple[list[Table], list[str]]:
    """The tables and code spans markdown-it ("gfm-like", as Textual) finds in ``markdown``."""
    tables: list[Table] = []
    codes: list[str] = []
    in_cell = False
    for token in _PARSER.parse(markdown):
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append([])
        elif token.type in ("th_open", "td_open"):
            tables[-1][-1].append([])
            in_cell = True
        elif token.type in ("th_close", "td_close"):
            in_cell = False
        elif token.type == "inline":
            for child in token.children or []:
                if child.type == "code_inline":
                    codes.append(" ".join(child.content.split()))
                if in_cell and child.type in ("text", "code_inline"):
                    tables[-1][-1][-1].extend(_WORD.findall(child.content.lower()))
    return _cells(tables), codes


@dataclass
class Tally:
    """How many posts had tables (inline code) and how many came out right, with the ids of the others."""

    posts: int = 0
    with_tables: int = 0
    tables_right: int = 0
    with_code: int = 0
    code_right: int = 0
    tables_wrong: list[str] = field(default_factory=list)
    code_wrong: list[str] = field(default_factory=list)


def _is_subsequence(wanted: list[str], found: list[str]) -> bool:
    rest = iter(found)
    return all(any(code == have for have in rest) for code in wanted)


def check_post(post_id: str, html: str, convert: Callable[[str], str], tally: Tally) -> None:
    """Convert one post and count whether its tables and inline code came out right."""
    tables, codes = html_facts(html)
    if not tables and not codes:
        tally.posts += 1
        return
    md_tables, md_codes = markdown_facts(convert(html))
    tally.posts += 1
    if tables:
        tally.with_tables += 1
        if md_tables == tables:
            tally.tables_right += 1
        else:
            tally.tables_wrong.append(post_id)
    if codes:
        tally.with_code += 1
        if _is_subsequence(codes, md_codes):
            tally.code_right += 1
        else:
            tally.code_wrong.append(post_id)
