"""A process that saves notes through Library.save_note in a loop, to be killed with SIGKILL at random moments.

    python -m tests.reliability.note_driver ROOT NOTE...

It prints "ready" once the library is open, then rewrites each note in turn with the next version of its
text (see :func:`note_text`) until it is killed. Each version is big enough that a write takes a while.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from kb.library import Library

_VERSION = re.compile(r"^version: (\d+)$", re.MULTILINE)


def note_text(name: str, version: int) -> str:
    """The full text of version ``version`` of note ``name``: front matter, a body, and a closing mark."""
    filler = f"version{version} of {name} " * 1500  # ~40 KB: a write is not a single page
    return (
        f"---\ntitle: Crash note {name}\nversion: {version}\npapers: [arxiv:1706.03762]\n---\n"
        f"Body of {name}, marker word crashnote{name}v{version}.\n\n{filler}\nEND {name} {version}\n"
    )


def version_of(name: str, text: str) -> int | None:
    """The version a note file holds, or None when it is not exactly one complete version."""
    found = _VERSION.search(text)
    if found is None:
        return None
    version = int(found.group(1))
    return version if text == note_text(name, version) else None


def main(root: str, names: list[str]) -> None:
    with Library.open(Path(root)) as library:
        print("ready", flush=True)
        while True:
            for name in names:
                path = f"{name}.md"
                text, snapshot = library.read_note(path)
                current = version_of(name, text)
                if current is None:
                    raise SystemExit(f"note {path} is damaged: {text[:80]!r}")
                library.save_note(path, note_text(name, current + 1), snapshot)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
