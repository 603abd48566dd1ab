"""Add a paper to a note's ``papers:`` list by editing only those lines of text.

Every edit is checked by reading the new front matter back: the other keys must be unchanged and
``papers`` must have gained exactly the new id. An edit that fails the check is not returned; if no edit
passes, nothing is touched and NoteConflict says why.
"""

from __future__ import annotations

import re
from typing import Any

from kb.errors import NoteConflict, UsageError
from kb.models import parse_arxiv_id
from kb.notes.frontmatter import as_list, load, locate, papers_of, yaml_value

_KEY_RE = re.compile(r"^papers[ \t]*:(?P<rest>[^\r\n]*)", re.MULTILINE)
_FLOW_RE = re.compile(r"^(?P<open>[ \t]*\[)(?P<inner>.*?)(?P<close>[ \t]*\][ \t]*(?:#.*)?)$")
_ITEM_RE = re.compile(r"^(?P<prefix>[ \t]*-[ \t]+)")
_PLAIN_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:./\-]*$")
_FIX_HINT = "fix the YAML between the '---' lines at the top of the note, then try again"


def add_paper_link(raw: str, paper_id: str) -> str:
    """``raw`` with ``paper_id`` added to the front matter ``papers:`` list; every other byte is kept.

    A note without front matter gets one at the top. An id already listed leaves the text unchanged.
    Broken front matter raises NoteConflict rather than being touched.
    """
    parsed = parse_arxiv_id(paper_id)
    if parsed is None:
        raise UsageError(f"not an arXiv id: {paper_id!r}", hint="e.g. 1706.03762 or arxiv:hep-th/9901001")
    key = parsed.key
    newline = "\r\n" if "\r\n" in raw else "\n"
    block = locate(raw)
    if block is None:
        bom = "\ufeff" if raw.startswith("\ufeff") else ""
        return f"{bom}---{newline}papers: [{key}]{newline}---{newline}{raw.removeprefix(bom)}"
    if not block.closed:
        raise NoteConflict(f"cannot add {key}: the note's front matter has no closing '---'", hint=_FIX_HINT)
    yaml_text = raw[block.yaml_start : block.yaml_end]
    data, error = load(yaml_text)
    if error is not None:
        raise NoteConflict(f"cannot add {key}: the note's front matter is broken ({error})", hint=_FIX_HINT)
    if key in papers_of(data.get("papers")):
        return raw
    for edit in (_insert, _rewrite):
        edited = edit(yaml_text, key, newline)
        if edited is not None and _only_added(data, edited, key):
            return raw[: block.yaml_start] + edited + raw[block.yaml_end :]
    raise NoteConflict(
        f"cannot add {key}: kb cannot edit this note's 'papers:' safely",
        hint=f"add {key} to its papers: list by hand",
    )


def _only_added(before: dict[str, Any], edited_yaml: str, key: str) -> bool:
    """True when ``edited_yaml`` equals ``before`` except that ``papers`` gained ``key`` at its end."""
    after, error = load(edited_yaml)
    if error is not None:
        return False
    others_same = {k: v for k, v in before.items() if k != "papers"} == {
        k: v for k, v in after.items() if k != "papers"
    }
    old = before.get("papers")
    if isinstance(old, list):
        expected: list[Any] = [*old, key]
    elif old is None or isinstance(old, str):
        expected = [*as_list(old), key]  # a comma-separated string becomes the list it meant
    else:
        return False
    return others_same and after.get("papers") == expected


def _insert(yaml_text: str, key: str, newline: str) -> str | None:
    """The gentlest edit: a new key line, an item in a one-line flow list, or a new '- item' line."""
    match = _KEY_RE.search(yaml_text)
    if match is None:
        separator = "" if not yaml_text or yaml_text.endswith("\n") else newline
        return f"{yaml_text}{separator}papers: [{key}]{newline}"
    rest = match.group("rest")
    flow = _FLOW_RE.match(rest)
    if flow is not None:
        inner = flow.group("inner").rstrip()
        new_inner = f"{inner}, {key}" if inner.strip() else key
        start = match.start("rest") + flow.end("open")
        return yaml_text[:start] + new_inner + yaml_text[match.start("rest") + flow.start("close") :]
    if rest.strip() and not rest.strip().startswith("#"):
        return None  # a scalar ("a, b" or a quoted id): _rewrite turns it into a list
    # A block list: find its last item (and that item's indented continuation lines).
    position = _skip_newline(yaml_text, match.end())
    items_end, prefix = match.end(), None
    for line in yaml_text[position:].splitlines(keepends=True):
        item = _ITEM_RE.match(line)
        if item is not None:
            prefix = prefix or item.group("prefix")
        elif not (prefix is not None and line[:1] in (" ", "\t") and line.strip()):
            break  # the next key, or a blank line or comment after the list
        position += len(line)
        items_end = position
    if prefix is None:
        # 'papers:' with nothing (null): give it a flow list on the same line, keeping any comment.
        comment = f" {rest.strip()}" if rest.strip() else ""
        return yaml_text[: match.start()] + f"papers: [{key}]{comment}" + yaml_text[match.end() :]
    ending = "" if yaml_text[:items_end].endswith("\n") else newline
    return yaml_text[:items_end] + ending + f"{prefix}{key}{newline}" + yaml_text[items_end:]


def _flow_item(item: str) -> str:
    # Ids read fine unquoted in a flow list (and look like what people type); anything else is quoted.
    return item if _PLAIN_ID_RE.match(item) else yaml_value([item], flow=True)[1:-1]


def _skip_newline(text: str, position: int) -> int:
    if text.startswith("\r\n", position):
        return position + 2
    if text.startswith("\n", position):
        return position + 1
    return position


def _rewrite(yaml_text: str, key: str, newline: str) -> str | None:
    """Replace the ``papers`` key's lines with a one-line flow list of its values plus ``key``."""
    match = _KEY_RE.search(yaml_text)
    if match is None:
        return None
    end = _skip_newline(yaml_text, match.end())
    last = end
    for line in yaml_text[end:].splitlines(keepends=True):
        if line.strip() and not line.startswith((" ", "\t", "-")):
            break
        end += len(line)
        if line.strip():
            last = end
    values, error = load(yaml_text[match.start() : last])
    if error is not None:
        return None
    items = [*as_list(values.get("papers")), key]
    line = f"papers: [{', '.join(_flow_item(item) for item in items)}]{newline}"
    return yaml_text[: match.start()] + line + yaml_text[last:]
