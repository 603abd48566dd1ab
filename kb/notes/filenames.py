"""File names for new notes: readable slugs that are valid on Windows, macOS and Linux."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection
from pathlib import PurePosixPath

MAX_CHARS = 80  # before '.md': long enough to read, short enough for a terminal column
# Most file systems allow 255 bytes (or UTF-16 units) per name: leave room for '-NNN.md'.
MAX_BYTES = 200
_DIGITS = "0123456789¹²³"  # Windows also reserves COM¹..COM³ and LPT¹..LPT³
RESERVED = frozenset(
    {"con", "prn", "aux", "nul", "conin$", "conout$"}
    | {f"{device}{digit}" for device in ("com", "lpt") for digit in _DIGITS}
)
_DASHES_RE = re.compile(r"-{2,}")


def note_filename(title: str, existing: Collection[str]) -> str:
    """A new note's file name for ``title``, e.g. ``attention-is-all-you-need.md``.

    Lower-case words joined by '-', unicode letters and digits kept (NFC), everything else dropped; at most
    MAX_CHARS characters and MAX_BYTES UTF-8 bytes before '.md'; never empty nor a reserved Windows name.
    A '-2', '-3', ... suffix avoids any stem already used by ``existing`` (relative paths, compared
    case-insensitively in every folder, so ``[[stem]]`` links stay unambiguous).
    """
    base = _slug(title) or "untitled"
    if base in RESERVED:
        base += "-note"
    taken = {_fold(PurePosixPath(path.replace("\\", "/")).stem) for path in existing}
    name, number = base, 1
    while _fold(name) in taken:
        number += 1
        name = f"{_bounded(base, reserve=len(str(number)) + 1)}-{number}"
    return f"{name}.md"


def _slug(title: str) -> str:
    # NFKC folds look-alikes (full-width letters, ligatures, superscripts) to plain ones before lower-casing.
    text = unicodedata.normalize("NFKC", title).lower()
    kept: list[str] = []
    for char in text:
        kind = unicodedata.category(char)[0]
        if kind in "LN" or (kind == "M" and kept and kept[-1] != "-"):
            kept.append(char)
        else:
            kept.append("-")
    slug = _DASHES_RE.sub("-", "".join(kept)).strip("-")
    return _bounded(unicodedata.normalize("NFC", slug), reserve=0)


def _bounded(slug: str, reserve: int) -> str:
    """``slug`` cut to the length limits minus ``reserve`` characters, at a word break when one is near."""
    max_chars = MAX_CHARS - reserve
    max_bytes = MAX_BYTES - reserve
    if len(slug) <= max_chars and len(slug.encode("utf-8")) <= max_bytes:
        return slug
    cut = slug[:max_chars]
    while len(cut.encode("utf-8")) > max_bytes:
        cut = cut[:-1]
    word_break = cut.rfind("-")
    if word_break >= len(cut) // 2:
        cut = cut[:word_break]
    # Cutting may leave a combining mark at the end, which is fine, or a dash, which is not.
    return unicodedata.normalize("NFC", cut).strip("-") or "untitled"


def _fold(text: str) -> str:
    # macOS and Windows compare names case- and normalisation-insensitively: so does kb.
    return unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text).casefold())
