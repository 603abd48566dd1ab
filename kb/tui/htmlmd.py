"""A post's sanitized HTML as Markdown, for the reader's Markdown view.

Small and forgiving on purpose: blog HTML is messy, and the reader only needs paragraphs, headings, lists, links,
emphasis, quotes, code and tables. Unknown tags keep their text; scripts and styles (should the sanitizer let one
through) are dropped. The result is made terminal-safe, and Textual's Markdown widget shows text literally (no
markup).

Two constructs are built whole rather than streamed, because Markdown cannot express them piece by piece:

- inline code: its text is kept as written (no escapes, which a code span would show literally), inside a fence
  of one backtick more than the longest run of backticks in it;
- tables: GitHub-flavoured pipe tables (Textual parses them), the first row the header, every row padded to the
  widest, each cell flattened to one line (a cell cannot hold paragraphs, lists or a nested table in Markdown).

benchmarks/reader_markdown.py measures both on every recorded blog post.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from kb.text import terminal_safe

_BLOCKS = {"p", "div", "section", "article", "figure", "figcaption", "header", "footer", "caption"}
_DROP = {"script", "style", "head", "title", "noscript", "svg", "math"}
_INLINE = {"em": "*", "i": "*", "strong": "**", "b": "**"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|<>])")
_BLANKS = re.compile(r"\n{3,}")
_BACKTICKS = re.compile(r"`+")
#: Posts longer than this are cut in the reader (a 500 kB post would take seconds to lay out).
MAX_CHARS = 60_000


class _Table:
    """The rows of a table being read; each row a list of cells, each cell its Markdown text."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []

    def markdown(self) -> str:
        rows = [row for row in self.rows if row]
        if not rows:
            return ""
        width = max(len(row) for row in rows)
        padded = [row + [""] * (width - len(row)) for row in rows]
        lines = ["| " + " | ".join(cell or " " for cell in row) + " |" for row in padded]
        lines.insert(1, "|" + "---|" * width)
        return "\n".join(lines)


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.sinks: list[list[str]] = [self.out]  # where text goes: the document, a link, a code span or a cell
        self.lists: list[str] = []  # "ul" or "ol", innermost last
        self.counters: list[int] = []
        self.href: str | None = None
        self.link_sink: list[str] | None = None
        self.code: list[str] | None = None  # the text of the inline code being read
        self.tables: list[_Table] = []  # innermost last; only the outermost one is written as a table
        self.cell: list[str] | None = None  # the outermost table's current cell
        self.span = 1  # columns the current cell spans (colspan): GFM has none, so empty cells follow it
        self.dropping = 0
        self.gutter = False  # in the line-number column of a code listing (Rouge, Pygments): not code
        self.pre = 0
        self.quote = 0

    def emit(self, text: str) -> None:
        self.sinks[-1].append(text)

    def newline(self, count: int = 2) -> None:
        if self.tables:
            self.emit(" ")  # a table cell is one line
        else:
            self.emit("\n" * count + "> " * self.quote)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in _DROP:
            self.dropping += 1
        elif self.dropping:
            return
        elif self.pre:
            self.in_listing(tag, values)
        elif self.code is not None:
            if tag == "br":
                self.code.append(" ")
        elif tag in ("table", "tr", "td", "th"):
            self.start_table_part(tag, values)
        elif tag in _BLOCKS:
            self.newline()
        elif re.fullmatch(r"h[1-6]", tag):
            self.newline()
            if not self.tables:
                self.emit("#" * int(tag[1]) + " ")
        elif tag == "br":
            self.newline(1)
        elif tag in ("ul", "ol"):
            self.lists.append(tag)
            self.counters.append(0)
            self.newline(1)
        elif tag == "li":
            self.start_item()
        elif tag in _INLINE:
            self.emit(_INLINE[tag])
        elif (tag == "code" and not self.pre) or (tag == "pre" and self.tables):
            self.code = []  # a <pre> in a table cell is shown as inline code: a cell is one line
        elif tag == "pre":
            self.pre += 1
            self.newline()
            self.emit("```\n")
        elif tag == "blockquote":
            self.quote += 1
            self.newline()
        elif tag == "a" and self.href is None:
            self.href = values.get("href") or ""
            self.link_sink = []
            self.sinks.append(self.link_sink)
        elif tag == "img":
            alt = (values.get("alt") or "").strip()
            self.emit(f"[image{': ' + _escape(alt) if alt else ''}]")

    def in_listing(self, tag: str, values: dict[str, str | None]) -> None:
        """A tag inside <pre>: a code listing's own table (line numbers beside the code) is not a table."""
        if tag in ("td", "th") and any(word in (values.get("class") or "") for word in ("gutter", "lineno")):
            self.gutter = True
            self.dropping += 1
        elif tag == "pre":
            self.pre += 1  # a listing's inner <pre>: still one code block
        elif tag == "br":
            self.emit("\n")

    def start_table_part(self, tag: str, values: dict[str, str | None]) -> None:
        if tag == "table":
            if not self.tables:
                self.newline()
            self.tables.append(_Table())
        elif len(self.tables) > 1:
            self.emit(" ")  # a nested table's rows and cells: words in the outer cell
        elif tag == "tr" and self.tables:
            self.end_cell()
            self.tables[0].rows.append([])
        elif tag in ("td", "th") and self.tables:
            self.end_cell()
            if not self.tables[0].rows:
                self.tables[0].rows.append([])
            self.cell = []
            self.sinks.append(self.cell)
            span = values.get("colspan") or "1"
            self.span = min(int(span), 50) if span.strip().isdigit() else 1

    def end_cell(self) -> None:
        if self.cell is None or not self.tables:
            return
        if self.href is not None and self.link_sink is not None:
            self.end_link()  # a link left open in the cell ends with it
        if self.sinks and self.sinks[-1] is self.cell:
            self.sinks.pop()
        text = " ".join("".join(self.cell).split())
        self.tables[0].rows[-1].extend([text] + [""] * (max(self.span, 1) - 1))
        self.cell = None
        self.span = 1

    def end_table(self) -> None:
        if len(self.tables) > 1:
            self.tables.pop()
            self.emit(" ")
            return
        self.end_cell()
        table = self.tables.pop()
        self.newline()
        self.emit(table.markdown().replace("\n", "\n" + "> " * self.quote))
        self.newline()

    def start_item(self) -> None:
        depth = max(len(self.lists) - 1, 0)
        self.newline(1)
        if self.tables:
            return  # a list in a cell: its items run on in the line
        if self.lists and self.lists[-1] == "ol":
            self.counters[-1] += 1
            self.emit("   " * depth + f"{self.counters[-1]}. ")
        else:
            self.emit("   " * depth + "- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            self.dropping = max(self.dropping - 1, 0)
        elif self.gutter and tag in ("td", "th"):
            self.gutter = False
            self.dropping = max(self.dropping - 1, 0)
        elif self.dropping:
            return
        elif self.code is not None:
            if tag == "code" or (tag == "pre" and self.tables):
                self.end_code()
        elif tag == "table" and self.tables:
            self.end_table()
        elif (tag in ("td", "th") and len(self.tables) == 1) or (tag == "tr" and len(self.tables) == 1):
            self.end_cell()
        elif tag in _BLOCKS or re.fullmatch(r"h[1-6]", tag):
            self.newline()
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.counters.pop()
            self.newline()
        elif tag in _INLINE:
            self.emit(_INLINE[tag])
        elif tag == "pre" and self.pre > 1:
            self.pre -= 1
        elif tag == "pre" and self.pre:
            self.pre -= 1
            sink = self.sinks[-1]
            self.emit("```" if sink and sink[-1].endswith("\n") else "\n```")  # code ending in a newline: no blank line
            self.newline()
        elif tag == "blockquote" and self.quote:
            self.quote -= 1
            self.newline()
        elif tag == "a" and self.href is not None:
            self.end_link()

    def end_code(self) -> None:
        text = " ".join("".join(self.code or []).split())
        self.code = None
        if text:
            self.emit(code_span(text, in_table=bool(self.tables)))

    def end_link(self) -> None:
        href, label = self.href or "", "".join(self.link_sink or []).strip()
        if self.sinks and self.sinks[-1] is self.link_sink:
            self.sinks.pop()
        self.href = self.link_sink = None
        if href.startswith(("http://", "https://")):
            self.emit(f"[{label or href}](<{href.replace('>', '%3E')}>)")
        else:
            self.emit(label)

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        if self.code is not None:
            self.code.append(data)
        elif self.pre:
            self.emit(data.replace("```", "'''"))
        else:
            self.emit(_escape(re.sub(r"\s+", " ", data)))

    def finish(self) -> None:
        """Close what the HTML left open: code, a link, tables."""
        if self.code is not None:
            self.end_code()
        if self.href is not None:
            self.end_link()
        while self.tables:
            self.end_table()


def code_span(text: str, in_table: bool = False) -> str:
    """``text`` as a Markdown code span, shown exactly: fenced by more backticks than it holds in a row.

    In a table, a ``|`` would end the cell: GitHub-flavoured Markdown reads ``\\|`` there as the pipe itself.
    """
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    if in_table:
        text = text.replace("|", "\\|")
    return f"{fence}{pad}{text}{pad}{fence}"


def _escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def html_to_markdown(html: str, limit: int = MAX_CHARS) -> str:
    """Markdown for ``html`` (already sanitized by the fetcher), at most about ``limit`` characters."""
    converter = _Converter()
    converter.feed(html[: limit * 2])
    converter.close()
    converter.finish()
    text = "".join(converter.out)
    text = _BLANKS.sub("\n\n", "\n".join(line.rstrip() for line in text.splitlines())).strip()
    if len(text) > limit:
        text = text[:limit].rstrip() + "\n\n*(cut here: the whole post is one `o` away)*"
    return terminal_safe(text)
