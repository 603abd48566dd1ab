"""Reading a reference manager's library (`kb import-bib`): BibTeX or CSL JSON entries matched to arXiv ids.

Zotero, Mendeley, JabRef, Google Scholar and Better BibTeX write the arXiv id in different places; each entry
is matched by the first of these that holds one:

- BibTeX ``eprint`` (unless ``archiveprefix``/``eprinttype`` names another archive), ``arxiv``, ``arxivid``;
- a URL (``url``, CSL ``URL``): ``arxiv.org/abs/...`` or ``/pdf/...``, with or without a version;
- a DOI ``10.48550/arXiv.<id>`` (``doi``, CSL ``DOI``, or a doi.org URL);
- text naming ``arXiv:<id>`` (BibTeX ``journal``, ``note``, ``howpublished``; CSL ``number``, ``note``,
  ``container-title``), as Zotero and Google Scholar write preprints.

Keywords (BibTeX ``keywords``, CSL ``keyword``) become tags. A file that cannot be read is one UsageError
naming the file and the line.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb.errors import UsageError
from kb.models import normalise_tags, parse_arxiv_id
from kb.text import one_line

#: Why an entry without any of the fields above is not matched.
NO_ARXIV_ID = "no arXiv id (eprint, arxiv, an arxiv.org URL or a DOI 10.48550/arXiv.*)"

_DOI_RE = re.compile(r"10\.48550/arxiv\.(?P<id>[^\s,;}]+)", re.IGNORECASE)
_MENTION_RE = re.compile(r"\barxiv:\s*(?P<id>[a-z\-]+(?:\.[a-z]{2})?/\d{7}|\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE)
_KEYWORD_SPLIT = re.compile(r"[,;]")
_BIB_ID_FIELDS = ("arxiv", "arxivid", "arxiv_id")
_BIB_TEXT_FIELDS = ("journal", "note", "howpublished", "number")
_CSL_TEXT_FIELDS = ("number", "note", "container-title")


@dataclass(frozen=True)
class BibEntry:
    """One entry of the file: its key, where it starts, the arXiv id it names (or why none), its keywords."""

    key: str
    line: int  # 1-based; 0 when the format has no lines to point at (CSL JSON items)
    arxiv_id: str | None
    reason: str | None  # why arxiv_id is None
    keywords: tuple[str, ...]


def read_entries(path: Path) -> list[BibEntry]:
    """The entries of a BibTeX (.bib) or CSL JSON (.json) file; UsageError naming the file and line."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UsageError(f"{path}:{line}: not UTF-8 text", hint="export the library as UTF-8") from None
    is_json = path.suffix.lower() == ".json" or text.lstrip()[:1] in ("[", "{")
    entries = _csl_entries(path, text) if is_json else _bibtex_entries(path, text)
    if not entries:
        raise UsageError(
            f"{path}:1: no BibTeX or CSL JSON entries found", hint="export the library as BibTeX or CSL JSON"
        )
    return entries


# --- BibTeX -----------------------------------------------------------------------------------------


def _bibtex_entries(path: Path, text: str) -> list[BibEntry]:
    import bibtexparser

    # bibtexparser logs every failed block as a warning: kb reports the first one itself, on one line.
    logger = logging.getLogger("bibtexparser")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        library = bibtexparser.parse_string(text)
    finally:
        logger.setLevel(level)
    if library.failed_blocks:
        block = min(library.failed_blocks, key=lambda b: b.start_line or 0)
        raise UsageError(f"{path}:{(block.start_line or 0) + 1}: malformed BibTeX: {_why(block)}")
    return [_bib_entry(entry) for entry in library.entries]


def _why(block: Any) -> str:
    error = getattr(block, "error", None)
    lines = [line.strip() for line in str(error or "").splitlines() if line.strip()]
    if "Duplicate field" in (lines[0] if lines else ""):
        return one_line(lines[0].split(". Note:")[0], 200)
    return one_line(lines[-1] if lines else "this block cannot be read", 200)


def _bib_entry(entry: Any) -> BibEntry:
    fields = {str(name).lower(): _plain(field.value) for name, field in entry.fields_dict.items()}
    found, reason = _bib_arxiv(fields)
    return BibEntry(str(entry.key), entry.start_line + 1, found, reason, _keywords(fields.get("keywords")))


def _plain(value: Any) -> str:
    """A field's text without the braces BibTeX uses to protect case."""
    return str(value).replace("{", "").replace("}", "").strip()


def _bib_arxiv(fields: Mapping[str, str]) -> tuple[str | None, str | None]:
    archive = (fields.get("archiveprefix") or fields.get("eprinttype") or "arxiv").lower()
    candidates: list[tuple[str, str]] = []
    if fields.get("eprint") and archive == "arxiv":
        candidates.append(("eprint", fields["eprint"]))
    candidates += [(name, fields[name]) for name in _BIB_ID_FIELDS if fields.get(name)]
    for name, value in candidates:
        parsed = parse_arxiv_id(value)
        if parsed is None:
            return None, f"{name} {one_line(value, 60)!r} is not an arXiv id"
        return parsed.id, None
    found, reason = _found(_urls(fields.get("url")), fields.get("doi"), [fields.get(n) for n in _BIB_TEXT_FIELDS])
    if found is None and fields.get("eprint"):
        reason = f"its eprint is a {one_line(archive, 30)} id, not an arXiv one"
    return found, reason


# --- CSL JSON ---------------------------------------------------------------------------------------


def _csl_entries(path: Path, text: str) -> list[BibEntry]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(f"{path}:{error.lineno}: not valid JSON ({error.msg})") from None
    if isinstance(data, dict):
        data = data.get("items", [data])  # one item, or CSL-JSON wrapped by some exporters
    if not isinstance(data, list):
        raise UsageError(f"{path}:1: CSL JSON must be a list of items")
    out = []
    for number, item in enumerate(data, 1):
        if not isinstance(item, dict):
            raise UsageError(f"{path}: item {number} of the CSL JSON list is not an object")
        key = str(item.get("citation-key") or item.get("id") or f"item {number}")
        found, reason = _found(
            _urls(_text(item.get("URL"))), _text(item.get("DOI")), [_text(item.get(k)) for k in _CSL_TEXT_FIELDS]
        )
        out.append(BibEntry(key, 0, found, reason, _keywords(item.get("keyword") or item.get("keywords"))))
    return out


def _text(value: object) -> str | None:
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, list):
        return " ".join(str(v) for v in value if isinstance(v, (str, int, float)))
    return None


# --- shared -----------------------------------------------------------------------------------------


def _urls(value: str | None) -> Iterator[str]:
    yield from (value or "").split()


def _found(urls: Iterator[str], doi: str | None, texts: list[str | None]) -> tuple[str | None, str | None]:
    """The arXiv id of the first URL, DOI or mention that names one."""
    for url in urls:
        parsed = parse_arxiv_id(url)
        if parsed is None and (doi_match := _DOI_RE.search(url)):
            parsed = parse_arxiv_id(doi_match.group("id"))
        if parsed is not None:
            return parsed.id, None
    if doi and (doi_match := _DOI_RE.search(doi)):
        parsed = parse_arxiv_id(doi_match.group("id"))
        if parsed is not None:
            return parsed.id, None
    for text in texts:
        mention = _MENTION_RE.search(text or "")
        if mention and (parsed := parse_arxiv_id(mention.group("id"))):
            return parsed.id, None
    return None, NO_ARXIV_ID


def _keywords(value: object) -> tuple[str, ...]:
    if isinstance(value, list):
        words = [str(v) for v in value if isinstance(v, str)]
    elif isinstance(value, str):
        words = _KEYWORD_SPLIT.split(value.replace("{", "").replace("}", ""))
    else:
        words = []
    return normalise_tags(" ".join(word.split()) for word in words)
