"""A paper's full text in the index (issue 14): the ``body`` field, the ``in:`` terms, the stored sections.

Three things are made from a paper's sections, the same on both engines:

- ``body``: every section's heading and text, analysed like the abstract (values split by SEPARATOR, so a phrase
  never crosses from one section into the next). ``body:`` searches it, and the default fields include it.
- ``insection``: the same words, each term prefixed with the kind of its section (``method:dropout``), so
  ``in:method dropout`` is a term query on one field. One field for every kind keeps the query language and both
  engines simple; it doubles the body's postings (sizes in docs/performance.md, "Full text").
- ``sections``: the sections' labels, kinds and texts, stored (compressed) beside the index, read only for the hits
  whose body matched, to name the section a hit is in and make its snippet there.

A text is bounded (MAX_BODY characters, MAX_SECTIONS sections): the store keeps the whole text, the index its
first megabyte, so a 200 MB extraction can neither exhaust memory nor stall a catch-up.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from kb.index.analysis import _GAP, _VALUE_GAP, HOLE, LONG, MAX_TERM, SEPARATOR, TERM_BREAK, Terms, as_token
from kb.models import Section, SectionKind

#: Characters of a paper's full text indexed (headings and texts of its sections, in order); the rest is cut.
MAX_BODY = 1_000_000
#: Sections indexed, and characters of a section's label.
MAX_SECTIONS = 1_000
MAX_LABEL = 200
#: Joins a section kind and a term in the ``insection`` field: ``method:dropout``. Never inside a term.
KIND_JOIN = ":"
#: What ``in:`` accepts: the values of SectionKind.
KINDS: tuple[str, ...] = tuple(kind.value for kind in SectionKind)
# Marks the kind at the start of each value of the ``insection`` field's text.
_KIND_MARK = "\x1d"
_MARKS = {ord(SEPARATOR): " ", ord(_KIND_MARK): " "}
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


@dataclass(frozen=True)
class BodySection:
    """One section as the index holds it: ``label`` is how hits name it ("3.2 Method")."""

    label: str
    kind: str
    text: str


def prepare_sections(sections: tuple[Section, ...]) -> tuple[BodySection, ...]:
    """The sections of a full text, bounded: at most MAX_SECTIONS, and MAX_BODY characters of text in all."""
    out: list[BodySection] = []
    room = MAX_BODY
    for section in sections[:MAX_SECTIONS]:
        label = " ".join(f"{section.number} {section.heading}".split())[: min(MAX_LABEL, room)]
        text = section.text[: room - len(label)]
        room -= len(text) + len(label)
        out.append(BodySection(_safe(label), section.kind.value, _safe(text)))
        if room <= 0:
            break
    return tuple(out)


def _safe(text: str) -> str:
    # The marks that split the index's texts into sections and kinds become spaces: an extracted text holding
    # one would otherwise start a section of its own, with a made-up kind.
    text = text.translate(_MARKS)
    if text.isascii():
        return text
    return text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be stored


def body_text(sections: tuple[BodySection, ...]) -> str:
    """The ``body`` field's text: each section's label and text, sections apart (phrases never span two)."""
    return SEPARATOR.join(f"{s.label}\n{s.text}" for s in sections)


def insection_text(sections: tuple[BodySection, ...]) -> str:
    """The ``insection`` field's text: like :func:`body_text`, each section led by its kind (read by SectionTerms)."""
    return SEPARATOR.join(f"{s.kind}{_KIND_MARK}{s.label}\n{s.text}" for s in sections)


def encode_sections(sections: tuple[BodySection, ...]) -> bytes:
    """The stored form of the sections (the engines compress it): a JSON list of ``[label, kind, bytes]``, NUL,
    then the sections' texts (UTF-8) one after another, so that a hit's sections are searched as one string."""
    texts = [s.text.encode() for s in sections]
    header = json.dumps([[s.label, s.kind, len(t)] for s, t in zip(sections, texts, strict=True)], ensure_ascii=False)
    return header.encode() + b"\0" + b"".join(texts)


@dataclass(frozen=True)
class StoredBody:
    """The stored sections of one hit: their texts as one UTF-8 string, and where each starts and ends in it.

    Bytes, not str: ``bytes.lower()`` and ``bytes.count()`` run at C speed whatever the text holds, where
    ``str.lower()`` of a text with one accented name is ten times slower.
    """

    raw: bytes
    sections: tuple[tuple[str, str, int, int], ...]  # label, kind, start, end (byte offsets in raw)

    def text(self, start: int, end: int) -> str:
        """The text between two byte offsets (a character cut at either end is dropped)."""
        return self.raw[start:end].decode("utf-8", "ignore")


def decode_sections(data: bytes | None) -> StoredBody | None:
    """The sections stored by :func:`encode_sections`; None for a document without a full text."""
    if not data:
        return None
    data = bytes(data)
    cut = data.find(b"\0")
    try:
        sections = []
        at = cut + 1
        for label, kind, length in json.loads(data[:cut]):
            sections.append((str(label), str(kind), at, at + int(length)))
            at += int(length)
    except (ValueError, TypeError):
        return None
    return StoredBody(data, tuple(sections))


class SectionTerms:
    """The terms of an ``insection`` text: the analyser's terms of each section, prefixed with its kind."""

    def __init__(self, inner: Terms) -> None:
        self._inner = inner

    def __call__(self, text: str, start_pos: int = 0) -> Iterator[tuple[str, int, int, int]]:
        pos = start_pos
        base = 0
        for value in text.split(SEPARATOR):
            kind, _, rest = value.partition(_KIND_MARK)
            prefix = kind + KIND_JOIN
            skip = len(kind) + 1
            last = pos
            for term, at, start, end in self._inner(rest, pos):
                last = at
                yield prefix + term, at, base + skip + start, base + skip + end
            pos = last + _GAP + 1
            base += len(value) + 1

    def joined(self, text: str) -> str:
        """The terms of an ``insection`` text as one string for tantivy, like :meth:`Terms.joined`.

        A section ends at its last term (trailing common words take no position, unlike in Terms), so the
        next one starts _GAP + 1 after it; a section without terms takes one position.
        """
        out: list[str] = []
        for value in text.split(SEPARATOR):
            kind, _, rest = value.partition(_KIND_MARK)
            prefix = as_token(kind + KIND_JOIN)
            inner = self._inner.joined(rest)
            terms = inner.split(TERM_BREAK) if inner else []
            while terms and terms[-1] == HOLE:
                terms.pop()
            room = MAX_TERM - len(prefix)
            kept = [t if t in (HOLE, LONG) else prefix + t if len(t) <= room else LONG for t in terms]
            out.append(TERM_BREAK.join(kept) or HOLE)
        return _VALUE_GAP.join(out)

    def positions(self, text: str) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for term, pos, _, _ in self(text):
            if term in out:
                out[term].append(pos)
            else:
                out[term] = [pos]
        return out


def in_term(kind: str, term: str) -> str:
    """The ``insection`` term of ``term`` in sections of ``kind``."""
    return kind + KIND_JOIN + term


def probe_text(text: str) -> str:
    """``text`` folded for a quick substring test (case and accents), without keeping offsets."""
    if text.isascii():
        return text.lower()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()
