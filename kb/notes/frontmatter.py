"""Find and read a note's YAML front matter, never changing the text it came from.

Front matter is the Obsidian/Jekyll kind: the very first line is ``---``, the YAML ends at the next line
that is ``---`` (or ``...``). Anything else at the top of a file is body text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from kb.models import parse_arxiv_id

_OPEN_RE = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
_CLOSE_RE = re.compile(r"^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.MULTILINE)
# Only null is resolved: numbers, booleans and dates stay the text the person wrote. `papers: [1706.10000]`
# must not become the float 1706.1, nor `title: yes` the boolean True, nor `created: 2026-13-45` a ValueError
# without a line number.
_KEPT_TAGS = frozenset({"tag:yaml.org,2002:null", "tag:yaml.org,2002:merge"})

_BaseLoader: Any = yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader


class _Loader(_BaseLoader):
    """A safe loader whose plain scalars are strings (or null)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag in _KEPT_TAGS]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Block:
    """Where the front matter sits in a note's text (offsets into the decoded string)."""

    yaml_start: int  # first character after the opening '---' line
    yaml_end: int  # first character of the closing line (end of text when unclosed)
    body_start: int  # first character after the closing line
    closed: bool

    first_line = 2  # the file line the YAML starts on: line 1 is the opening '---'


def locate(text: str) -> Block | None:
    """The front matter block of ``text``, or None when the note has none."""
    opening = _OPEN_RE.match(text)
    if opening is None:
        return None
    closing = _CLOSE_RE.search(text, opening.end())
    if closing is None:
        return Block(opening.end(), len(text), len(text), closed=False)
    return Block(opening.end(), closing.start(), closing.end(), closed=True)


def load(yaml_text: str, first_line: int = Block.first_line) -> tuple[dict[str, Any], str | None]:
    """Parse front matter YAML: (mapping, None), or ({}, "line N: problem") naming the file line."""
    try:
        data = yaml.load(yaml_text, Loader=_Loader)  # a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        return {}, _describe(exc, first_line)
    except yaml.reader.ReaderError as exc:
        line = first_line + yaml_text.count("\n", 0, max(exc.position, 0))
        return {}, f"line {line}: character #x{exc.character:04x} is not allowed in YAML"
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        return {}, f"line {first_line}: {exc}".splitlines()[0]
    if data is None:
        return {}, None
    if not isinstance(data, dict):
        return {}, f"line {first_line}: front matter must be 'key: value' lines, not a {type(data).__name__}"
    return {str(key): value for key, value in data.items()}, None


def _describe(exc: yaml.MarkedYAMLError, first_line: int) -> str:
    """``line N: problem (while parsing X, line M)`` in file line numbers."""
    mark = exc.problem_mark or exc.context_mark
    line = first_line + (mark.line if mark is not None else 0)
    message = f"line {line}: {exc.problem or exc.context or 'invalid YAML'}"
    if exc.problem and exc.context and exc.context_mark is not None:
        message += f" ({exc.context}, line {first_line + exc.context_mark.line})"
    return message


def scalar_text(value: object) -> str | None:
    """A scalar YAML value as one line of text; None for missing, empty or non-scalar values."""
    # Strings (and numbers from explicit !!int/!!float tags) only: not lists, maps, sets, bytes or booleans.
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return None
    text = " ".join(str(value).split())
    return text or None


def as_list(value: object) -> list[str]:
    """A list or comma-separated string of scalars as stripped strings; nested values are ignored."""
    if isinstance(value, str):
        parts: list[object] = list(value.split(","))
    elif isinstance(value, list):
        parts = list(value)
    else:
        parts = [value]
    return [text for part in parts if (text := scalar_text(part)) is not None]


def tags_of(value: object) -> tuple[str, ...]:
    """Front matter tags, without Obsidian's optional leading '#', deduplicated in order."""
    tags = (tag.lstrip("#").strip() for tag in as_list(value))
    return tuple(dict.fromkeys(tag for tag in tags if tag))


def papers_of(value: object) -> list[str]:
    """Front matter paper ids as ``arxiv:<id>`` keys, in order; entries that are not ids are skipped.

    Accepts ``1706.03762``, ``arxiv:1706.03762v2``, URLs and Obsidian-style ``"[[arxiv:1706.03762]]"``.
    """
    found: list[str] = []
    for entry in as_list(value):
        for word in entry.replace(",", " ").split():
            parsed = parse_arxiv_id(word.strip("[]\"'"))
            if parsed is not None:
                found.append(parsed.key)
    return list(dict.fromkeys(found))


def yaml_value(value: object, flow: bool = False) -> str:
    """One YAML value on one line, quoted only when it must be (colons, quotes, leading '-', 'yes'...).

    yaml itself does the quoting, so the header always reads back as written; non-printable characters come
    out escaped rather than breaking the YAML.
    """
    dumped = yaml.safe_dump(value, allow_unicode=True, width=1_000_000, default_flow_style=flow or None)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()
