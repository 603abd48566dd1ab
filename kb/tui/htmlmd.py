"""A post's sanitized HTML as Markdown, for the reader's Markdown view.

Small and forgiving on purpose: blog HTML is messy, and the reader only needs paragraphs, headings, lists, links,
emphasis, quotes and code. Unknown tags keep their text; scripts and styles (should the sanitizer let one through)
are dropped. The result is made terminal-safe, and Textual's Markdown widget shows text literally (no markup).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from kb.text import terminal_safe

_BLOCKS = {"p", "div", "section", "article", "figure", "figcaption", "table", "tr", "header", "footer"}
_DROP = {"script", "style", "head", "title", "noscript", "svg", "math"}
_INLINE = {"em": "*", "i": "*", "strong": "**", "b": "**"}
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|<>])")
_BLANKS = re.compile(r"\n{3,}")
#: Posts longer than this are cut in the reader (a 500 kB post would take seconds to lay out).
MAX_CHARS = 60_000


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.lists: list[str] = []  # "ul" or "ol", innermost last
        self.counters: list[int] = []
        self.href: str | None = None
        self.link_text: list[str] = []
        self.dropping = 0
        self.pre = 0
        self.quote = 0

    def emit(self, text: str) -> None:
        if self.href is not None:
            self.link_text.append(text)
        else:
            self.out.append(text)

    def newline(self, count: int = 2) -> None:
        self.emit("\n" * count + "> " * self.quote)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in _DROP:
            self.dropping += 1
        elif tag in _BLOCKS:
            self.newline()
        elif re.fullmatch(r"h[1-6]", tag):
            self.newline()
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
        elif tag == "code" and not self.pre:
            self.emit("`")
        elif tag == "pre":
            self.pre += 1
            self.newline()
            self.emit("```\n")
        elif tag == "blockquote":
            self.quote += 1
            self.newline()
        elif tag == "a" and self.href is None:
            self.href = values.get("href") or ""
            self.link_text = []
        elif tag == "img":
            alt = (values.get("alt") or "").strip()
            self.emit(f"[image{': ' + _escape(alt) if alt else ''}]")

    def start_item(self) -> None:
        depth = max(len(self.lists) - 1, 0)
        self.newline(1)
        if self.lists and self.lists[-1] == "ol":
            self.counters[-1] += 1
            self.emit("   " * depth + f"{self.counters[-1]}. ")
        else:
            self.emit("   " * depth + "- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP:
            self.dropping = max(self.dropping - 1, 0)
        elif tag in _BLOCKS or re.fullmatch(r"h[1-6]", tag):
            self.newline()
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.counters.pop()
            self.newline()
        elif tag in _INLINE:
            self.emit(_INLINE[tag])
        elif tag == "code" and not self.pre:
            self.emit("`")
        elif tag == "pre" and self.pre:
            self.pre -= 1
            self.emit("\n```")
            self.newline()
        elif tag == "blockquote" and self.quote:
            self.quote -= 1
            self.newline()
        elif tag == "a" and self.href is not None:
            self.end_link()

    def end_link(self) -> None:
        href, label = self.href or "", "".join(self.link_text).strip()
        self.href = None
        if href.startswith(("http://", "https://")):
            self.emit(f"[{label or href}](<{href.replace('>', '%3E')}>)")
        else:
            self.emit(label)

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        if self.pre:
            self.emit(data.replace("```", "'''"))
            return
        self.emit(_escape(re.sub(r"\s+", " ", data)))


def _escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def html_to_markdown(html: str, limit: int = MAX_CHARS) -> str:
    """Markdown for ``html`` (already sanitized by the fetcher), at most about ``limit`` characters."""
    converter = _Converter()
    converter.feed(html[: limit * 2])
    converter.close()
    if converter.href is not None:
        converter.end_link()
    text = "".join(converter.out)
    text = _BLANKS.sub("\n\n", "\n".join(line.rstrip() for line in text.splitlines())).strip()
    if len(text) > limit:
        text = text[:limit].rstrip() + "\n\n*(cut here: the whole post is one `o` away)*"
    return terminal_safe(text)
