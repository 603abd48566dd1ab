"""arXiv's HTML rendering of a paper (LaTeXML) to kb's sections: headings with their numbers, paragraphs,
captions, footnotes, the references list, and math as its LaTeX.

Written on the standard library's ``html.parser`` (lenient, never raises on any input; ~0.1 s for a 700 KB
page): one pass keeps a stack of the open elements, each with what to do when it closes. Only the document
(``article.ltx_document``) is read: the page's navigation, table of contents and footer are not the paper.

A page is used only when it has the paper in it: arXiv sends 200 for conversions that failed or were cut off,
so the main content must be there (``ltx_page_main``), the document must end (``</article>``), and some text
must have come out; otherwise ``HtmlUnusable`` says why and the caller falls back to the PDF.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser

from kb.errors import FetchError
from kb.models import FullText, FullTextSource, Section, SectionKind, section_kind
from kb.text import terminal_safe

#: Least text (characters) a usable page gives; a conversion that failed leaves an empty shell.
MIN_TEXT = 200
#: Longest heading kept (a hostile or broken page can make a whole paragraph a heading).
MAX_HEADING = 300

_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)
# Never text a person reads, wherever they are.
_SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "template", "iframe", "object", "svg", "head", "title", "nav", "button",
     "form", "select", "textarea", "canvas", "video", "audio", "footer"}
)  # fmt: skip
_SKIP_CLASSES = frozenset(
    {"ltx_authors", "ltx_dates", "ltx_TOC", "ltx_page_navbar", "ltx_page_footer", "ltx_pagination", "ltx_note_type",
     "ltx_title_document", "ltx_page_logo", "ltx_tag_note"}
)  # fmt: skip
# Sections that open a new entry of the outline; ltx_paragraph (\paragraph{...}) stays a run-in heading.
_SECTION_CLASSES = frozenset(
    {"ltx_section", "ltx_subsection", "ltx_subsubsection", "ltx_appendix", "ltx_bibliography", "ltx_index",
     "ltx_chapter", "ltx_part", "ltx_abstract"}
)  # fmt: skip
_BLOCK_TAGS = frozenset(
    {"p", "div", "figure", "figcaption", "table", "tr", "blockquote", "pre", "ul", "ol", "dl", "dt", "dd", "li",
     "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "tbody", "thead", "tfoot"}
)  # fmt: skip
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CELL = "\ue000"  # marks a table cell (a private-use character, removed from the page's own text)
_SPACES = re.compile(r"[^\S\n]+")
_BREAKS = re.compile(r"\n{3,}")


class HtmlUnusable(FetchError):
    """The page does not hold the paper (a failed, missing or truncated conversion): use the PDF."""


@dataclass
class _Open:
    """One open element and what closing it does."""

    tag: str
    role: str = ""  # "" nothing; skip, section, heading, tag, math, tex, note, mark, notenum, cell, item
    data: dict[str, str] = field(default_factory=dict)


@dataclass
class _SectionDraft:
    heading: str = ""
    number: str = ""
    level: int = 1
    kind: SectionKind | None = None  # forced (abstract, references); else from the heading
    in_appendix: bool = False
    parts: list[str] = field(default_factory=list)

    def parts_text(self) -> str:
        return _tidy("".join(self.parts))


class _LatexmlReader(HTMLParser):
    """Collects the sections of a LaTeXML document as it streams past."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Open] = []
        # How many open elements have each tag, and the open ones of each role: a stray end tag or a role look-up
        # costs nothing, so a hostile page of a million unclosed elements stays linear.
        self.open_tags: Counter[str] = Counter()
        self.open_roles: defaultdict[str, list[_Open]] = defaultdict(list)
        self.sections: list[_SectionDraft] = [_SectionDraft()]  # text before the first heading
        self.buffers: list[list[str]] = [self.sections[0].parts]  # where text goes now (top)
        self.footnotes: list[str] = []  # waiting for the end of their paragraph
        self.skipping = 0
        self.in_document = 0
        self.section_depth = 0
        self.appendix_depth = 0
        self.saw_main = False
        self.document_closed = False

    # --- the element stack ------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            self.handle_startendtag(tag, attrs)
            return
        attributes = {name: value or "" for name, value in attrs}
        classes = set(attributes.get("class", "").split())
        if "ltx_page_main" in classes:
            self.saw_main = True
        entry = _Open(tag)
        if tag == "article" and "ltx_document" in classes:
            entry.role = "document"
            self.in_document += 1
        elif self.skipping and tag == "annotation" and self._math_wants_tex(attributes):
            entry.role = "tex"
            self.buffers.append([])
        elif self.skipping:
            entry.role = "skip"
            self.skipping += 1
        elif self.in_document:
            self._open(entry, tag, classes, attributes)
        self.stack.append(entry)
        self.open_tags[tag] += 1
        self.open_roles[entry.role].append(entry)

    def _open(self, entry: _Open, tag: str, classes: set[str], attributes: dict[str, str]) -> None:
        if tag in _SKIP_TAGS or classes & _SKIP_CLASSES:
            entry.role = "skip"
            self.skipping += 1
        elif tag == "math":
            entry.role = "math"
            entry.data = {"tex": attributes.get("alttext", ""), "display": attributes.get("display", "")}
            self.skipping += 1
        elif (tag == "section" and classes & _SECTION_CLASSES) or (tag == "div" and "ltx_abstract" in classes):
            entry.role = "section"
            entry.data = {"appendix": "yes" if "ltx_appendix" in classes else ""}
            self._start_section(classes)
        elif tag in _HEADING_TAGS:
            entry.role = "heading"
            self._block()
            self.buffers.append([])
        elif "ltx_tag" in classes and self._in_role("heading") and not self._in_role("note"):
            entry.role = "tag"
            self.buffers.append([])
        elif "ltx_note" in classes:
            entry.role = "note"
            entry.data = {"mark": ""}
            self.buffers.append([])
        elif "ltx_note_mark" in classes and self._in_role("note"):
            entry.role = "mark"
            self.buffers.append([])
        else:
            self._open_plain(tag)

    def _open_plain(self, tag: str) -> None:
        if tag in ("td", "th"):
            self.buffers[-1].append(_CELL)
        elif tag == "li":
            self._block()
            self.buffers[-1].append("- ")
        elif tag in _BLOCK_TAGS:
            self._block()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping or not self.in_document:
            return
        if tag == "br":
            self.buffers[-1].append("\n")
        elif tag == "hr":
            self._block()
        elif tag == "math":  # an empty <math alttext=.../>
            tex = dict(attrs).get("alttext") or ""
            self._emit_math(tex, dict(attrs).get("display") or "")

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags[tag]:
            return  # a stray end tag: nothing to close
        while self.stack:  # close what was left open inside it, then it
            entry = self._pop()
            self._close(entry)
            if entry.tag == tag:
                return

    def _pop(self) -> _Open:
        entry = self.stack.pop()
        self.open_tags[entry.tag] -= 1
        self.open_roles[entry.role].pop()
        return entry

    def close(self) -> None:
        super().close()
        while self.stack:  # a page cut off: close what is open (the document stays unclosed)
            entry = self._pop()
            if entry.role != "document":
                self._close(entry)

    def _close(self, entry: _Open) -> None:
        role = entry.role
        if role == "document":
            self.in_document -= 1
            self.document_closed = True
            self._flush_footnotes()
        elif role in ("skip", "math"):
            self.skipping -= 1
            if role == "math":
                self._emit_math(entry.data["tex"], entry.data["display"])
        elif role == "tex":
            captured = "".join(self.buffers.pop())
            math = self._innermost("math")
            if math is not None and not math.data["tex"]:
                math.data["tex"] = captured
        elif role == "section":
            self._end_section(bool(entry.data["appendix"]))
        elif role in ("heading", "tag", "note", "mark"):
            self._close_captured(entry, "".join(self.buffers.pop()))
        elif entry.tag in _BLOCK_TAGS:
            self._block()
            if entry.tag in ("p", "div", "li", "figure", "table") and len(self.buffers) == 1:
                self._flush_footnotes()

    def _close_captured(self, entry: _Open, text: str) -> None:
        text = _flat(text)
        if entry.role == "heading":
            self._set_heading(entry, text)
        elif entry.role == "tag":
            heading = self._innermost("heading")
            if heading is not None:
                heading.data["number"] = text
        elif entry.role == "mark":
            note = self._innermost("note")
            if note is not None:
                note.data["mark"] = note.data["mark"] or text
        elif entry.role == "note":
            mark = entry.data["mark"] or "*"
            if text:
                self.buffers[-1].append(f"[^{mark}]")
                self.footnotes.append(f"[^{mark}]: {text}")

    def _in_role(self, role: str) -> bool:
        return bool(self.open_roles[role])

    def _innermost(self, role: str) -> _Open | None:
        """The innermost open element with this role."""
        found = self.open_roles[role]
        return found[-1] if found else None

    def _math_wants_tex(self, attributes: dict[str, str]) -> bool:
        """An x-tex annotation inside a <math> with no alttext: its LaTeX is the math's text."""
        if attributes.get("encoding") != "application/x-tex":
            return False
        math = self._innermost("math")
        return math is not None and not math.data["tex"]

    # --- sections ---------------------------------------------------------------------------------

    def _start_section(self, classes: set[str]) -> None:
        self._flush_footnotes()
        self.section_depth += 1
        if "ltx_appendix" in classes:
            self.appendix_depth += 1
        draft = _SectionDraft(level=self.section_depth, in_appendix=self.appendix_depth > 0)
        if "ltx_abstract" in classes:
            draft.kind, draft.heading = SectionKind.ABSTRACT, "Abstract"
        elif "ltx_bibliography" in classes:
            draft.kind, draft.heading = SectionKind.REFERENCES, "References"
        self.sections.append(draft)
        self.buffers = [draft.parts]

    def _end_section(self, appendix: bool) -> None:
        self._flush_footnotes()
        self.appendix_depth -= appendix
        self.section_depth -= 1

    def _set_heading(self, heading: _Open, text: str) -> None:
        tag = _flat(heading.data.get("number", ""))
        title = text[len(tag) :] if tag and text.startswith(tag) else text
        title, number = _flat(title)[:MAX_HEADING], _number(tag)
        draft = self.sections[-1]
        unnamed = not draft.number and draft.heading in ("", "Abstract", "References")
        if draft.level == self.section_depth and unnamed and not draft.parts_text():
            draft.heading = title or draft.heading
            draft.number = number
        elif title:  # a run-in heading (\paragraph, a theorem): bold in the text
            self.buffers[-1].append(f"**{' '.join(filter(None, (number, title)))}** ")

    # --- text ------------------------------------------------------------------------------------

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1].role == "tex":  # a math's LaTeX, inside the skipped MathML
            self.buffers[-1].append(data)
            return
        if self.skipping or not self.in_document:
            return
        self.buffers[-1].append(terminal_safe(data).replace("\n", " ").replace("\t", " ").replace(_CELL, ""))

    def _emit_math(self, tex: str, display: str) -> None:
        tex = " ".join(terminal_safe(tex).split())
        if tex:
            self.buffers[-1].append(f" $${tex}$$ " if display == "block" else f"${tex}$")

    def _block(self) -> None:
        self.buffers[-1].append("\n\n")

    def _flush_footnotes(self) -> None:
        if self.footnotes and len(self.buffers) == 1:
            self.buffers[0].extend(f"\n\n{note}\n\n" for note in self.footnotes)
            self.footnotes.clear()


def _number(tag: str) -> str:
    """The section number in a LaTeXML tag: "3.2 " -> "3.2", "Appendix A " -> "A"."""
    words = tag.split()
    return words[-1].rstrip(".:") if words else ""


def _flat(text: str) -> str:
    return " ".join(text.replace(_CELL, " ").split())


def _tidy(text: str) -> str:
    lines = []
    for line in text.replace("\xa0", " ").split("\n"):
        line = _SPACES.sub(" ", line).strip()
        cells = [cell.strip() for cell in line.split(_CELL)]
        lines.append(" | ".join(cell for cell in cells if cell))
    return _BREAKS.sub("\n\n", "\n".join(lines)).strip()


def parse_arxiv_html(body: bytes | str, item_id: str, version: int | None) -> FullText:
    """The full text in an arXiv HTML page. Raises HtmlUnusable when the page does not hold the paper."""
    page = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    reader = _LatexmlReader()
    reader.feed(page)
    reader.close()
    if not reader.saw_main:
        raise HtmlUnusable("no LaTeXML document on the page (no ltx_page_main)")
    if not reader.document_closed:
        raise HtmlUnusable("the page is cut off (the document never ends)")
    sections = tuple(_section(draft) for draft in reader.sections if draft.heading or draft.parts_text())
    if sum(len(section.text) for section in sections) < MIN_TEXT:
        raise HtmlUnusable("the page holds almost no text (a failed conversion)")
    return FullText(item_id=item_id, source=FullTextSource.HTML, version=version, sections=sections)


def _section(draft: _SectionDraft) -> Section:
    kind = draft.kind or section_kind(draft.heading, draft.in_appendix)
    return Section(heading=draft.heading, text=draft.parts_text(), kind=kind, number=draft.number, level=draft.level)
