"""What the reliability suite shares: running kb as a real process, and reading a workspace's state directly.

The checks read the SQLite file with the standard library (not through kb.store), so a bug in the store
cannot hide itself from them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from kb.notes.scan import GUIDE

REPO = Path(__file__).resolve().parents[2]

#: What must never reach a terminal from data: C0 controls but tab and newline, DEL, C1 controls, bidi controls.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
#: Text that means a lock leaked through to the person.
LOCK_WORDS = re.compile(r"database is locked|LockError|locked by another|index is busy|Traceback", re.IGNORECASE)


def kb_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a kb subprocess: the repository importable, no debug tracebacks, no TTY tricks."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    env.pop("KB_DEBUG", None)
    env.pop("KB_ROOT", None)
    env.update(extra or {})
    return env


def kb_command(root: Path, *args: str) -> list[str]:
    """The argv of ``kb --root ROOT ARGS...`` run from the repository's sources."""
    return [sys.executable, "-m", "kb.cli.main", "--root", str(root), *args]


def kb(*args: str, root: Path, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    """Run kb as cron would: a real process, no terminal, output captured."""
    return subprocess.run(
        kb_command(root, *args),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=kb_env(),
        stdin=subprocess.DEVNULL,
        encoding="utf-8",
        errors="surrogateescape",  # keep any byte kb wrote, so a check can see it
    )


def kb_popen(*args: str, root: Path) -> subprocess.Popen[bytes]:
    """Start kb in its own session (so the test can clean up whatever it forked), output to pipes."""
    return subprocess.Popen(
        kb_command(root, *args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=kb_env(),
        start_new_session=True,
    )


def reap_group(process: subprocess.Popen[bytes]) -> None:
    """Kill what is left of a process group the test started (children orphaned by a SIGKILL)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def inert_problems(text: str) -> list[str]:
    """The unsafe characters in ``text`` with some context, as readable reprs (empty: all safe)."""
    return [repr(text[max(m.start() - 20, 0) : m.end() + 20]) for m in UNSAFE.finditer(text)][:5]


def assert_inert(text: str, where: str) -> None:
    """No escape sequence, control character or bidi override in what kb printed."""
    problems = inert_problems(text)
    assert not problems, f"{where} printed raw control characters: {problems}"


def status_json(root: Path) -> dict[str, object]:
    """`kb status --json`, parsed."""
    result = kb("status", "--json", root=root)
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def write_config(root: Path, config: Mapping[str, object]) -> None:
    """Replace a workspace's feeds.yaml."""
    (root / "feeds.yaml").write_text(yaml.safe_dump(dict(config), sort_keys=False, allow_unicode=True), "utf-8")


# --- the store, read directly -----------------------------------------------------------------------


@dataclass(frozen=True)
class StoreFacts:
    """What a store holds, read with sqlite3 alone."""

    integrity: str
    ids: tuple[str, ...]
    triage: dict[str, tuple[str, bool, tuple[str, ...]]]  # id -> (status, starred, tags)

    @property
    def duplicates(self) -> int:
        return len(self.ids) - len(set(self.ids))


def store_facts(root: Path) -> StoreFacts:
    """Integrity check, item ids and triage state of a workspace's store (read only)."""
    path = root / ".kb" / "kb.sqlite"
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        integrity = "; ".join(str(row[0]) for row in conn.execute("PRAGMA integrity_check"))
        ids = tuple(str(row[0]) for row in conn.execute("SELECT id FROM item"))
        tags: dict[str, list[str]] = {}
        for item_id, tag in conn.execute("SELECT item_id, tag FROM item_tag ORDER BY tag"):
            tags.setdefault(item_id, []).append(tag)
        triage = {
            str(item_id): (str(status), bool(starred), tuple(tags.get(item_id, ())))
            for item_id, status, starred in conn.execute("SELECT item_id, status, starred FROM triage")
        }
    finally:
        conn.close()
    return StoreFacts(integrity, ids, triage)


def normalised_ids(ids: Iterable[str]) -> list[str]:
    """Ids that break kb's identity rules (an arXiv id stored with its version would be a duplicate)."""
    return [i for i in ids if re.match(r"^arxiv:.*v\d+$", i) or not i.startswith(("arxiv:", "post:"))]


def index_ids(root: Path) -> tuple[int, set[str]]:
    """The index's document count and distinct ids (a count above the ids means duplicates)."""
    from kb.index import SearchIndex

    index = SearchIndex.open(root / ".kb" / "index")
    try:
        return index.doc_count(), index.ids()
    finally:
        index.close()


def note_ids(root: Path) -> set[str]:
    """The index ids the notes on disk should have."""
    notes = root / "notes"
    return {
        f"note:{path.relative_to(notes).as_posix()}"
        for path in notes.rglob("*.md")
        if not any(part.startswith(".") for part in path.relative_to(notes).parts)
        and path.relative_to(notes).as_posix().casefold() != GUIDE  # notes/README.md: kb's guide, no note
    }


def tree(root: Path, skip: Sequence[str] = ()) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``root`` with its size and mtime: a fingerprint of 'nothing changed'."""
    seen: dict[str, tuple[int, int]] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if any(relative == s or relative.startswith(s + "/") for s in skip):
            continue
        stat = path.stat()
        seen[relative] = (stat.st_size if path.is_file() else -1, stat.st_mtime_ns)
    return seen
