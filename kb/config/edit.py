"""Appending entries to a list in feeds.yaml by editing its text, so the person's comments and order stay.

Loading and dumping the YAML would drop every comment. Instead PyYAML's node tree says where the list (or its
parent) is, and new entries are written as lines after its last entry, indented like the entries already
there. The caller validates the result with kb.config.parse_config_text before writing anything, and writes
it with ``write_atomically``: a reader (or a crash) never meets half a file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kb.atomic import write_atomic
from kb.errors import UsageError

#: A list entry: a scalar, or a mapping of scalars and lists of scalars.
Entry = str | dict[str, str | list[str]]

_RESOLVER = yaml.SafeLoader("")
_PLAIN = re.compile(r"^[A-Za-z0-9][\w .'/()+-]*$")
# Characters that may stand unescaped in a double-quoted scalar: YAML's printable set less its line breaks
# (NEL, U+2028, U+2029 would be folded into spaces) and the byte order mark.
_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)


def scalar(value: str) -> str:
    """``value`` as a YAML scalar safe in block and flow context: plain when that reads back the same."""
    if _PLAIN.match(value) and not value.endswith(" ") and _resolves_to_text(value):
        return value
    quoted = json.dumps(value, ensure_ascii=False)  # JSON strings are YAML double-quoted scalars
    return _NOT_PRINTABLE.sub(lambda match: f"\\u{ord(match.group(0)):04x}", quoted)


def _resolves_to_text(value: str) -> bool:
    """False for plain words YAML reads as something else: true, no, null, 1.5, 2026-01-01 ..."""
    tag: str = _RESOLVER.resolve(ScalarNode, value, (True, False))
    return tag == "tag:yaml.org,2002:str"


def _value(value: str | list[str]) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    return scalar(value)


def _flow(entry: Entry) -> str:
    if isinstance(entry, str):
        return scalar(entry)
    return "{" + ", ".join(f"{key}: {_value(value)}" for key, value in entry.items()) + "}"


def _block_item(entry: Entry, dash: int, gap: int) -> list[str]:
    pad = " " * dash
    if isinstance(entry, str):
        return [f"{pad}-{' ' * gap}{scalar(entry)}"]
    lines = []
    for n, (key, value) in enumerate(entry.items()):
        lead = f"{pad}-{' ' * gap}" if n == 0 else " " * (dash + 1 + gap)
        lines.append(f"{lead}{key}: {_value(value)}")
    return lines


def _block(keys: Sequence[str], entries: Sequence[Entry], indent: int) -> list[str]:
    """``keys`` as nested mapping lines from ``indent``, the entries as a block list under the last."""
    lines = []
    for key in keys:
        lines.append(f"{' ' * indent}{key}:")
        indent += 2
    for entry in entries:
        lines += _block_item(entry, indent, 1)
    return lines


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _entry(mapping: MappingNode, key: str) -> tuple[Node, Node] | None:
    for key_node, value in mapping.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            return key_node, value
    return None


def _last_end(node: Node) -> int:
    """Where the last scalar (or flow collection) inside ``node`` ends: block collections end late, after
    the comments and blank lines that follow them."""
    if isinstance(node, MappingNode) and not node.flow_style and node.value:
        return _last_end(node.value[-1][1])
    if isinstance(node, SequenceNode) and not node.flow_style and node.value:
        return _last_end(node.value[-1])
    return int(node.end_mark.index)


def _line_start_after(text: str, index: int) -> int:
    """The start of the line after the one holding ``index`` (``index`` itself when it starts a line)."""
    if index == 0 or text[index - 1] == "\n":
        return index
    newline = text.find("\n", index)
    return len(text) if newline < 0 else newline + 1


class _Edit:
    def __init__(self, text: str, newline: str) -> None:
        self.text = text
        self.newline = newline

    def insert_lines(self, at: int, lines: list[str]) -> str:
        """``lines`` inserted at a line start ``at`` (or at the end of the text)."""
        text, before = self.text, ""
        if at == len(text) and text and not text.endswith("\n"):
            before = self.newline
        block = self.newline.join(lines) + self.newline
        return text[:at] + before + block + text[at:]

    def unsupported(self, where: str) -> UsageError:
        return UsageError(
            f"cannot add to {where} in feeds.yaml: it is not written as a block of '- ' lines",
            hint="write that part as a block list, or add the entries by hand",
        )


def append_entries(text: str, path: Sequence[str], entries: Sequence[Entry]) -> str:
    """``text`` with ``entries`` appended to the list at ``path`` (e.g. ``("feeds",)``), created if missing."""
    if not entries:
        return text
    newline = "\r\n" if "\r\n" in text else "\n"
    edit = _Edit(text, newline)
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is None or _is_null(root):
        return edit.insert_lines(len(text), _block(path, entries, 0))
    if not isinstance(root, MappingNode) or root.flow_style:
        raise edit.unsupported("the top level")
    parent: MappingNode = root
    for depth, key in enumerate(path):
        found = _entry(parent, key)
        if found is None:
            return _add_key(edit, root, parent, path[depth:], entries)
        key_node, value = found
        if depth == len(path) - 1:
            return _extend(edit, key_node, value, entries, ".".join(path))
        if _is_null(value):
            return _fill_null(edit, key_node, value, path[depth + 1 :], entries)
        if not isinstance(value, MappingNode) or value.flow_style:
            raise edit.unsupported(".".join(path[: depth + 1]))
        parent = value
    raise AssertionError("unreachable: the loop returns at the last key")


def _add_key(edit: _Edit, root: MappingNode, parent: MappingNode, keys: Sequence[str], entries: Sequence[Entry]) -> str:
    if parent is root:
        return edit.insert_lines(len(edit.text), _block(keys, entries, 0))
    indent = parent.value[0][0].start_mark.column
    at = _line_start_after(edit.text, _last_end(parent))
    return edit.insert_lines(at, _block(keys, entries, indent))


def _fill_null(edit: _Edit, key_node: Node, value: Node, keys: Sequence[str], entries: Sequence[Entry]) -> str:
    """``key:`` with nothing (or ``~``, ``null``, ``[]``) after it: the value becomes a block under the key."""
    start, end = value.start_mark.index, value.end_mark.index
    at = _line_start_after(edit.text, max(end, key_node.end_mark.index))
    inserted = edit.insert_lines(at, _block(keys, entries, key_node.start_mark.column + 2))
    head, tail = inserted[:start], inserted[end:]  # the empty value's own text goes (it lies before ``at``)
    if tail[:1] in ("", "\r", "\n"):
        head = head.rstrip(" \t")
    return head + tail


def _extend(edit: _Edit, key_node: Node, value: Node, entries: Sequence[Entry], where: str) -> str:
    text = edit.text
    if _is_null(value) or (isinstance(value, SequenceNode) and not value.value):
        return _fill_null(edit, key_node, value, (), entries)
    if not isinstance(value, SequenceNode):
        raise edit.unsupported(where)
    if value.flow_style:
        close = value.end_mark.index - 1
        if text[close] != "]":
            raise edit.unsupported(where)
        added = ", " + ", ".join(_flow(entry) for entry in entries)
        return text[:close].rstrip() + added + text[close:]
    first = value.value[0]
    line_start = text.rfind("\n", 0, first.start_mark.index) + 1
    dash = text.find("-", line_start, first.start_mark.index)
    if dash < 0 or text[line_start:dash].strip():
        raise edit.unsupported(where)
    gap = max(first.start_mark.index - dash - 1, 1)
    at = _line_start_after(text, _last_end(value))
    return edit.insert_lines(at, [line for entry in entries for line in _block_item(entry, dash - line_start, gap)])


def write_atomically(path: Path, data: bytes, expect: bytes | None = None) -> None:
    """Replace ``path`` with ``data`` through kb.atomic; UsageError, nothing written, if the file no longer
    holds ``expect`` (someone edited it while kb was editing it)."""

    def unchanged() -> None:
        try:
            current: bytes | None = path.read_bytes()
        except OSError:
            current = None
        if current != expect:
            raise UsageError(f"{path} changed while kb was editing it; nothing written", hint="run the command again")

    write_atomic(path, data, before_replace=None if expect is None else unchanged)
