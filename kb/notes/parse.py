"""Turn a note file's bytes into a Note. Parsing only reads: it never rewrites what it parses."""

from __future__ import annotations

import codecs
from pathlib import PurePath, PurePosixPath

from kb.models import Note
from kb.notes.frontmatter import load, locate, scalar_text, tags_of
from kb.notes.links import extract_links, first_heading, mask_code
from kb.notes.ownership import linked_ids, owned_ids

_UNCLOSED = "line 1: the front matter opened with '---' is never closed by a '---' line"


def decode_note(raw: bytes) -> tuple[str, bool]:
    """The note's text and whether it was valid in its encoding (UTF-8, or UTF-16 with a BOM).

    Bytes that do not decode become U+FFFD rather than an error: the note stays searchable.
    """
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    encoding = "utf-16" if utf16 else "utf-8-sig"
    try:
        return raw.decode(encoding), True
    except UnicodeDecodeError:
        return raw.decode(encoding, errors="replace"), False


def parse_note(relative_path: str, raw: bytes, mtime_ns: int = 0) -> Note:
    """Parse a note: front matter (title, tags, papers, created), body, and its paper and note links.

    Broken YAML gives a Note whose ``front_matter_error`` is ``"line N: problem"`` and whose body is the whole
    text. The title falls back to the first ``# heading``, then to the file name.
    """
    text, _ = decode_note(raw)
    return parse_text(relative_path, text, mtime_ns, len(raw))


def parse_text(relative_path: str, text: str, mtime_ns: int = 0, size: int = 0) -> Note:
    """Parse an already decoded note (see :func:`parse_note`)."""
    path = PurePath(relative_path).as_posix()
    text = text.removeprefix("\ufeff")
    data: dict[str, object] = {}
    error: str | None = None
    body = text
    block = locate(text)
    if block is not None and not block.closed:
        error = _UNCLOSED
    elif block is not None:
        data, error = load(text[block.yaml_start : block.yaml_end])
        if error is None:
            body = text[block.body_start :]
    masked = mask_code(body)
    links = extract_links(body, masked)
    owns = owned_ids(data)
    title = scalar_text(data.get("title")) or first_heading(masked) or PurePosixPath(path).stem or path
    return Note(
        path=path,
        title=title,
        body=body,
        tags=tags_of(data.get("tags")),
        papers=tuple(dict.fromkeys([*linked_ids(owns), *links.papers])),
        note_links=links.notes,
        created=scalar_text(data.get("created")),
        front_matter_error=error,
        mtime_ns=mtime_ns,
        size=size,
        owns=owns,
    )
