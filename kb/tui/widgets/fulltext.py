"""A paper's full text in the reader (issue 14): its sections as Markdown, and an outline to jump between them.

The text is data from a paper: it goes in as Markdown source (never Rich markup), with control characters removed.
Math stays as its LaTeX: each ``$...$`` or ``$$...$$`` span is shown as inline code, so that ``a_i b_i`` keeps its
underscores instead of turning into emphasis.
"""

from __future__ import annotations

import re
from typing import ClassVar

from rich.text import Text
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Markdown, OptionList, Static
from textual.widgets.option_list import Option

from kb.models import FullText, Section
from kb.text import one_line, terminal_safe

# $$display$$ first, then $inline$ (no newline inside, not "$5 and $6": the closing $ must follow a non-space).
_MATH_RE = re.compile(r"\$\$(.+?)\$\$|\$(?=\S)([^$\n]+?)(?<=\S)\$", re.DOTALL)
_CODE_RE = re.compile(r"(`+).*?\1", re.DOTALL)


def math_as_code(text: str) -> str:
    """``text`` with every math span wrapped as inline code (code already in backticks is left alone)."""
    out: list[str] = []
    at = 0
    for code in _CODE_RE.finditer(text):
        out.append(_MATH_RE.sub(_wrap, text[at : code.start()]))
        out.append(code.group())
        at = code.end()
    out.append(_MATH_RE.sub(_wrap, text[at:]))
    return "".join(out)


def _wrap(match: re.Match[str]) -> str:
    span = " ".join(match.group().split())
    ticks = "``" if "`" in span else "`"
    return f"{ticks}{span}{ticks}"


def section_label(section: Section) -> str:
    """``3.2 Method``: how the outline, hits and links name a section."""
    return " ".join(f"{section.number} {section.heading}".split())


def section_markdown(section: Section) -> str:
    """One section as Markdown: its heading (one level below the paper's title) and its text."""
    parts = []
    label = section_label(section)
    if label:
        parts.append(f"{'#' * min(max(section.level, 1) + 1, 6)} {one_line(label, 300)}")
    if section.text:
        parts.append(math_as_code(terminal_safe(section.text)))
    return "\n\n".join(parts)


def section_index(text: FullText, anchor: str) -> int | None:
    """The place in ``text`` of the section a link names: its number, its heading, or "3.2 Method" as hits name it."""
    found = text.section(anchor)
    if found is not None:
        return text.sections.index(found)
    wanted = " ".join(anchor.split()).lower()
    return next((i for i, s in enumerate(text.sections) if section_label(s).lower() == wanted), None)


class Outline(OptionList):
    """The sections of the full text, indented by level; choosing one jumps there."""

    DEFAULT_CSS = """
    Outline {
        dock: left;
        width: 32;
        height: 1fr;
        border-right: vkey $surface-lighten-2;
    }
    """

    class Jump(Message):
        """Go to the section numbered ``index`` (its place in the full text)."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def show(self, text: FullText | None, linked: frozenset[int] = frozenset()) -> None:
        """List ``text``'s sections (hidden when there is no text); ``linked`` sections (a note links them) marked."""
        self.clear_options()
        self.display = text is not None and bool(text.sections)
        if text is None:
            return
        self.add_options(
            [
                Option(
                    Text(
                        "  " * max(section.level - 1, 0)
                        + (one_line(section_label(section), 80) or "(untitled)")
                        + (" ✎" if index in linked else "")
                    ),
                    id=str(index),
                )
                for index, section in enumerate(text.sections)
            ]
        )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Jump(int(event.option.id)))


class FullTextBody(Vertical):
    """The sections of a full text, one Markdown block each (so the reader can scroll to any of them)."""

    DEFAULT_CSS = """
    FullTextBody {
        height: auto;
        margin-top: 1;
    }
    FullTextBody > .fulltext-source {
        color: $text-muted;
    }
    FullTextBody > Markdown {
        margin: 0;
        padding: 0;
    }
    """

    SOURCES: ClassVar[dict[str, str]] = {"html": "arXiv's HTML", "pdf": "the PDF"}

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.fulltext: FullText | None = None
        self.links: list[tuple[str, str]] = []
        self.display = False

    async def show(self, text: FullText | None, links: list[tuple[str, str]] | None = None) -> None:
        """Show ``text``'s sections (nothing when None), and which notes link which of them (``(path, anchor)``)."""
        self.fulltext = text
        self.links = list(links or [])
        await self.remove_children()
        self.display = text is not None
        if text is None:
            return
        version = f" v{text.version}" if text.version else ""
        source = Static(Text(f"Full text, from {self.SOURCES.get(text.source.value, text.source.value)}{version}"))
        source.add_class("fulltext-source")
        lines: list[Static] = [source]
        if links:
            named = ", ".join(f"§ {one_line(anchor, 60)} in {one_line(path, 80)}" for path, anchor in links)
            lines.append(Static(Text(f"Notes link: {named}")))
            lines[-1].add_class("fulltext-source")
        blocks = [Markdown(open_links=False) for _ in text.sections]
        await self.mount_all([*lines, *blocks])
        for block, section in zip(blocks, text.sections, strict=True):  # awaited: laid out before a jump
            await block.update(section_markdown(section))

    @property
    def blocks(self) -> list[Markdown]:
        """One Markdown block per section, in order."""
        return list(self.query_children(Markdown))

    def index_of(self, anchor: str) -> int | None:
        """The place of the section a link names (number, else heading), or None."""
        return None if self.fulltext is None else section_index(self.fulltext, anchor)

    def markdown(self) -> str:
        """The whole text as shown (for tests)."""
        return "\n\n".join(block.source for block in self.blocks)
