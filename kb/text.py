"""Text from strangers made safe to print: no escape sequence or control character reaches a terminal.

Feed titles, abstracts and author names are data. Before any of it is written to a terminal, C0/C1 control
characters (ESC starts ANSI and OSC sequences, including OSC 8 links and OSC 52 clipboard writes) and Unicode
bidirectional overrides are replaced, so that what a person sees is what the feed said, as text.
"""

from __future__ import annotations

import re

# C0 controls except tab/newline, DEL, C1 controls, and the bidi embedding/override/isolate characters.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


def _replace(match: re.Match[str]) -> str:
    char = match.group(0)
    if char in "\r\n\t":
        return " "
    return "\ufffd" if char == "\x1b" else ""


def terminal_safe(text: str) -> str:
    """``text`` with control characters and bidi overrides removed (ESC shown as U+FFFD); newlines kept."""
    return _UNSAFE.sub(_replace, text)


def one_line(text: str, width: int | None = None) -> str:
    """``text`` made terminal-safe on a single line, whitespace collapsed, cut to ``width`` with an ellipsis."""
    flat = _SPACES.sub(" ", _UNSAFE_LINE.sub(_replace, text)).strip()
    if width is not None and len(flat) > width:
        return flat[: max(width - 1, 0)] + "…"
    return flat


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """``1 hit``, ``2 hits``, ``1,204 sources``: a count and its noun, singular for exactly one."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"
