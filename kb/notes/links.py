"""Links in a note's text: arXiv papers (wiki links and URLs) and Obsidian ``[[note]]`` links."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from kb.models import ARXIV_ID_PATTERN, Note, parse_arxiv_id

# Patterns start with a literal so the regex engine can skip ahead: a 5 MB note stays fast.
# An embed (![[x]]) is a link too: the '!' needs no group.
_WIKI_RE = re.compile(r"\[\[(?P<target>[^\[\]\n|]*)(?:\|[^\[\]\n]*)?\]\]")
# The scheme and www./export. are optional: _starts_cleanly rules out "notarxiv.org".
_URL_RE = re.compile(rf"arxiv\.org/(?:abs|pdf)/(?P<id>{ARXIV_ID_PATTERN})(?:v\d+)?(?!\d)", re.IGNORECASE)
_FENCE_RE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})", re.MULTILINE)
_INLINE_CODE_RE = re.compile(r"(?P<ticks>`+)(?!`)[^\n]+?(?<!`)(?P=ticks)(?!`)")
# A blockquote line (CommonMark: up to 3 spaces, then '>'): quoted text, such as an abstract or an excerpt.
_QUOTE_RE = re.compile(r"^ {0,3}>.*$", re.MULTILINE)
_H1_RE = re.compile(r"^ {0,3}#[ \t]+(?P<title>.+?)[ \t]*(?:[ \t]#+[ \t]*)?$", re.MULTILINE)
# Embeds and links to these are attachments, not notes.
_ATTACHMENTS = frozenset(
    f".{ext}"
    for ext in (
        *("png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "avif", "pdf", "mp3", "mp4", "webm", "wav"),
        *("ogg", "mov", "mkv", "canvas", "excalidraw", "csv", "zip", "txt", "json", "bib"),
    )
)


@dataclass(frozen=True)
class Links:
    """What a note's body links to."""

    papers: tuple[str, ...]
    notes: tuple[str, ...]


def mask_code(text: str) -> str:
    """``text`` with fenced and inline code blanked out (same length), so ``x[[0]]`` in code is no link."""
    pieces: list[str] = []
    position = 0
    while (opening := _FENCE_RE.search(text, position)) is not None:
        fence = opening.group("fence")
        closer = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.MULTILINE)
        line_end = text.find("\n", opening.end())
        closing = closer.search(text, line_end + 1) if line_end != -1 else None
        end = closing.end() if closing is not None else len(text)  # unclosed: code to the end (CommonMark)
        pieces.append(_mask_inline(text[position : opening.start()]))
        pieces.append(_blank(text[opening.start() : end]))
        position = end
    pieces.append(_mask_inline(text[position:]))
    return "".join(pieces)


def _mask_inline(text: str) -> str:
    if "`" not in text:
        return text
    return _INLINE_CODE_RE.sub(lambda match: _blank(match.group()), text)


def _blank(text: str) -> str:
    # Keep newlines so headings and line numbers stay where they were.
    return "\n".join(" " * len(line) for line in text.split("\n"))


def extract_links(text: str, masked: str) -> Links:
    """Paper ids (``arxiv:<id>``, in order of appearance) and note link targets found in a note body.

    ``masked`` is ``mask_code(text)``: wiki links count outside code only; arXiv URLs count outside quotes.
    Quoted text (``> ...`` lines) links nothing: it is someone else's words, like a pasted abstract or post,
    and the papers it cites are not the note's links.
    """
    text, masked = mask_quotes(text), mask_quotes(masked)
    papers: list[tuple[int, str]] = []
    notes: list[str] = []
    for match in _WIKI_RE.finditer(masked):
        target = match.group("target").split("#", 1)[0].strip()
        if not target:
            continue  # [[#heading]] links inside the same note
        paper = parse_arxiv_id(target)
        if paper is not None:
            papers.append((match.start(), paper.key))
        elif PurePosixPath(target).suffix.lower() not in _ATTACHMENTS:
            notes.append(target)
    for match in _URL_RE.finditer(text):
        paper = parse_arxiv_id(match.group("id"))
        if paper is not None and _starts_cleanly(text, match.start()):
            papers.append((match.start(), paper.key))
    papers.sort(key=lambda pair: pair[0])
    return Links(tuple(dict.fromkeys(key for _, key in papers)), tuple(dict.fromkeys(notes)))


@dataclass(frozen=True)
class SectionLink:
    """A link to a section of a paper's full text: ``[[arxiv:2501.11120#3.2]]``, ``[[arxiv:2501.11120#Method]]``.

    The paper is the link's paper for everything else (the note links it, backlinks, ownership); the anchor is the
    section's number or heading as written (kb.models.FullText.section finds it).
    """

    paper: str  # arxiv:<id>
    anchor: str


def paper_anchor(target: str) -> SectionLink | None:
    """The section a wiki link's target names (``arxiv:ID#anchor``, an alias after ``|`` ignored), else None.

    Obsidian's nested heading links (``[[x#Method#Training]]``) name their last heading.
    """
    name, _, anchor = target.split("|", 1)[0].partition("#")
    paper = parse_arxiv_id(name.strip())
    anchor = " ".join(anchor.rsplit("#", 1)[-1].split())
    if paper is None or not anchor:
        return None
    return SectionLink(paper.key, anchor)


def section_links(text: str, masked: str) -> tuple[SectionLink, ...]:
    """The section links of a note body, in order, each once (outside code and quotes, as for paper links)."""
    masked = mask_quotes(masked)
    found = [paper_anchor(match.group("target")) for match in _WIKI_RE.finditer(masked)]
    return tuple(dict.fromkeys(link for link in found if link is not None))


def mask_quotes(text: str) -> str:
    """``text`` with blockquote lines blanked out (same length)."""
    if ">" not in text:
        return text
    return _QUOTE_RE.sub(lambda match: _blank(match.group()), text)


def _starts_cleanly(text: str, start: int) -> bool:
    """True when the "arxiv.org" at ``start`` is the host itself, not the end of another name."""
    if start == 0:
        return True
    before = text[start - 1]
    if before == ".":
        return text[max(0, start - 7) : start].lower().endswith(("www.", "export."))
    return not (before.isalnum() or before in "_-")


def first_heading(masked: str) -> str | None:
    """The text of the first level-1 ATX heading outside code, if any."""
    match = _H1_RE.search(masked)
    if match is None:
        return None
    title = " ".join(match.group("title").split())
    return title or None


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def resolve_note_link(name: str, notes: Iterable[Note]) -> Note | None:
    """The note an Obsidian-style ``[[name]]`` points to, or None.

    Tried in order, case-insensitively: the path without ``.md`` (``papers/attention``), the file stem, the
    title. When several notes share a stem or title, the shortest path wins (then alphabetical), as Obsidian
    prefers the closest match.
    """
    wanted = _fold(name.split("|", 1)[0].split("#", 1)[0].strip())
    if wanted.endswith(".md"):
        wanted = wanted[:-3]
    if not wanted:
        return None
    candidates = sorted(notes, key=lambda note: (len(note.path), note.path))
    for key in (_path_key, _stem_key, _title_key):
        for note in candidates:
            if key(note) == wanted:
                return note
    return None


def _path_key(note: Note) -> str:
    path = _fold(note.path)
    return path[:-3] if path.endswith(".md") else path


def _stem_key(note: Note) -> str:
    return _path_key(note).rsplit("/", 1)[-1]


def _title_key(note: Note) -> str:
    return _fold(" ".join(note.title.split()))
