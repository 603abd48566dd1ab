"""`kb status` and `kb search` on a settled workspace read the store read-only (kb.store.peek), without
SQLAlchemy or SQLModel; a pending index change, a changed note or an old schema takes the full path.

Real SQLite files and a real index on both engines; "another process" is a second Store on the same file; the
import probes run kb in a subprocess and report which packages it loaded.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from kb.library import Library, init_workspace
from kb.models import (
    FeedState,
    FullText,
    FullTextSource,
    Section,
    SectionKind,
    SourceKind,
    SourceResult,
    Status,
    TriageChange,
    UpsertReport,
)
from kb.store import Store
from kb.store.migrations import MIGRATIONS
from kb.store.peek import MIGRATION_NAMES, Peek
from tests.store.store_helpers import paper, post

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
from kb.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    code = done.code
else:
    code = 0
loaded = sorted({name.split('.')[0] for name in sys.modules} & {'sqlalchemy', 'sqlmodel', 'pydantic'})
print('LOADED=' + json.dumps([code, loaded]), file=sys.stderr)
"""


def kb(root: Path, *args: str) -> tuple[str, set[str]]:
    """kb's stdout for ``args`` and which of SQLAlchemy, SQLModel and pydantic it imported (exit 0 or 1 only)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "--root", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    line = next((line for line in result.stderr.splitlines() if line.startswith("LOADED=")), None)
    assert line is not None, result.stderr
    code, loaded = json.loads(line.removeprefix("LOADED="))
    assert code in (0, 1, None), result.stderr
    return result.stdout, set(loaded)


NOTE = """---
title: Reading notes
---
On [[other]] and https://arxiv.org/abs/2611.00001 (quokka heuristics).
"""


@pytest.fixture(params=["whoosh", "tantivy"])
def root(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A settled workspace: papers, a post, triage, fetch runs (one source failing), announcement days with a
    gap, a full text, a note; indexed, the queue empty and the note cache current."""
    folder = tmp_path / "ws"
    init_workspace(folder)
    config = yaml.safe_load((folder / "feeds.yaml").read_text(encoding="utf-8"))
    config["search"] = {"engine": request.param}
    (folder / "feeds.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    (folder / "notes" / "reading.md").write_text(NOTE, encoding="utf-8")
    now = datetime.now(UTC)
    with Library.open(folder) as library:
        library.reindex()  # creates the store (and its marker), syncs the note
    with Store.open(folder / ".kb" / "kb.sqlite") as store:
        store.upsert_items(
            [
                paper("2611.00001", title="Quokka heuristics for planning"),
                paper("2611.00002", title="Wombat quokka graphs", authors=()),
                paper("2611.00003", title="Numbat sampling"),
            ],
            "cs.LG",
            now=now - timedelta(days=2),
        )
        store.upsert_items([post(title="Quokka posts")], "Lil'Log", now=now - timedelta(days=2))
        store.set_triage("arxiv:2611.00003", TriageChange(status=Status.READ, starred=True, tags=("maths",)))
        run = store.start_run(now - timedelta(days=2))
        ok = SourceResult(source="cs.LG", kind=SourceKind.ARXIV_RSS, http_status=200, complete=False)
        bad = SourceResult(source="hinton", kind=SourceKind.ARXIV_QUERY, ok=False, error="HTTP 500")

        store.record_source(run, ok, UpsertReport(new=("arxiv:2611.00001",)), now - timedelta(days=2))
        store.record_source(run, bad, UpsertReport(), now - timedelta(days=2))
        store.finish_run(run, now - timedelta(days=2))
        store.save_feed_state(FeedState("hinton", failures=4))
        store.save_feed_state(FeedState("cs.LG", etag="x", last_success=now - timedelta(days=2)))
        today = now.date()
        store.record_announcements({("cs.LG", today - timedelta(days=10)): 5, ("cs.CV", today - timedelta(days=3)): 2})
        section = Section(heading="Intro", text="Quokka text.", kind=SectionKind.INTRODUCTION, number="1")
        store.save_fulltext(FullText("arxiv:2611.00001", FullTextSource.HTML, 1, (section,)))
    with Library.open(folder) as library:
        library.search("quokka")  # catches up: the queue empties
        assert library.index_backlog() == 0
    return folder


def status_both_ways(root: Path) -> tuple[dict[str, object], dict[str, object], bool]:
    """(the light path's status, the full path's status, whether the light one left the Store closed)."""
    with Library.open(root) as library:
        light = library.status()
        stayed_read_only = library._opened_store is None
    with Library.open(root) as library:
        _ = library._store  # the Store open: status reads it (the full path)
        full = library.status()
    return light, full, stayed_read_only


def test_status_read_only_equals_status_from_the_store(root: Path) -> None:
    light, full, stayed_read_only = status_both_ways(root)
    assert stayed_read_only
    assert light == full
    # and it says something: counts, runs, sources, gaps, full texts
    assert light["items"] == {"paper": {"new": 2, "read": 1, "skipped": 0}, "post": {"new": 1, "read": 0, "skipped": 0}}
    assert light["notes"] == 1 and light["index"]["pending"] == 0 and light["index"]["ok"]  # type: ignore[index]
    assert light["failing"] == ["hinton"] and light["runs"][0]["failed_sources"] == ["hinton"]  # type: ignore[index]
    assert light["gaps"] and light["fulltext"]["count"] == 1  # type: ignore[index]


def test_a_settled_search_and_status_import_no_orm(root: Path) -> None:
    out, loaded = kb(root, "search", "quokka")
    assert "Quokka heuristics for planning" in out and "Ada Lovelace, Alan Turing" in out
    assert not loaded & {"sqlalchemy", "sqlmodel"}
    status, loaded = kb(root, "status", "--json")
    assert json.loads(status)["index"]["documents"] == 5  # 3 papers, a post, a note
    assert not loaded & {"sqlalchemy", "sqlmodel"}


def test_search_output_is_the_same_read_only_or_from_the_store(root: Path) -> None:
    light, loaded = kb(root, "search", "quokka")
    assert not loaded & {"sqlalchemy", "sqlmodel"}
    with Store.open(root / ".kb" / "kb.sqlite") as other:  # a change the output does not show: the full path
        other.set_tags("arxiv:2611.00003", ["later"])  # not a hit: the hits keep their scores
    full, loaded = kb(root, "search", "quokka")
    assert "sqlalchemy" in loaded
    assert full == light
    assert light.count("\n\n") == 3  # four hits: two papers, the post, the note


def test_a_pending_index_change_takes_the_full_path_and_is_searchable(root: Path) -> None:
    with Store.open(root / ".kb" / "kb.sqlite") as other:
        other.upsert_items([paper("2611.00009", title="Platypus decoding")], "cs.LG")
    status, loaded = kb(root, "status", "--json")
    assert "sqlalchemy" in loaded  # the index is current and a change waits: status catches it up
    assert json.loads(status)["index"]["documents"] == 6 and json.loads(status)["index"]["pending"] == 0
    with Store.open(root / ".kb" / "kb.sqlite") as other:
        other.upsert_items([paper("2611.00010", title="Platypus encoding")], "cs.LG")
    out, loaded = kb(root, "search", "platypus")
    assert "sqlalchemy" in loaded
    assert "Platypus decoding" in out and "Platypus encoding" in out
    _, loaded = kb(root, "search", "platypus")
    assert not loaded & {"sqlalchemy", "sqlmodel"}  # settled again


def test_a_changed_note_takes_the_full_path_and_is_searchable(root: Path) -> None:
    (root / "notes" / "reading.md").write_text(NOTE + "\nAlso echidna.\n", encoding="utf-8")
    out, loaded = kb(root, "search", "echidna")
    assert "sqlalchemy" in loaded and "Reading notes" in out
    (root / "notes" / "second.md").write_text("# Echidna two\n", encoding="utf-8")
    status, loaded = kb(root, "status", "--json")
    assert not loaded & {"sqlalchemy", "sqlmodel"}  # status does not sync notes (as before): read-only
    assert json.loads(status)["notes"] == 1
    out, loaded = kb(root, "search", "echidna")
    assert "sqlalchemy" in loaded and "Echidna two" in out
    assert json.loads(kb(root, "status", "--json")[0])["notes"] == 2


def test_an_old_schema_takes_the_full_path_which_migrates(root: Path) -> None:
    database = root / ".kb" / "kb.sqlite"
    with sqlite3.connect(database) as conn:  # as a kb from before citations left it
        conn.execute("DROP TABLE citation_link")
        conn.execute("DROP TABLE citation_fetch")
        conn.execute("DELETE FROM migration WHERE name = ?", (MIGRATION_NAMES[-1],))
    conn.close()
    assert Peek.open(database) is None
    status, loaded = kb(root, "status", "--json")
    assert "sqlalchemy" in loaded and json.loads(status)["items"]["paper"]["new"] == 2
    peek = Peek.open(database)  # migrated by that status
    assert peek is not None
    peek.close()
    _, loaded = kb(root, "status", "--json")
    assert not loaded & {"sqlalchemy", "sqlmodel"}


def test_a_missing_or_damaged_store_is_left_to_the_store(tmp_path: Path) -> None:
    assert Peek.open(tmp_path / "none.sqlite") is None
    (tmp_path / "bad.sqlite").write_bytes(b"not a database at all" * 100)
    assert Peek.open(tmp_path / "bad.sqlite") is None


def test_the_peek_knows_every_migration() -> None:
    assert list(MIGRATION_NAMES) == [name for name, _ in MIGRATIONS]


def test_the_store_and_the_peek_read_the_same_rows(root: Path) -> None:
    database = root / ".kb" / "kb.sqlite"
    peek = Peek.open(database)
    assert peek is not None
    with Store.open(database) as store:
        ids = ["arxiv:2611.00001", "arxiv:2611.00002", "post:nothing"]
        assert (
            peek.author_names(ids) == store.author_names(ids) == {"arxiv:2611.00001": ("Ada Lovelace", "Alan Turing")}
        )
        assert peek.note_records() == store.note_records() and peek.note_records()["reading.md"].papers
        assert peek.source_log("hinton") == store.source_log("hinton")
        assert peek.latest_source_logs() == store.latest_source_logs()
        assert peek.announcement_days(date(2000, 1, 1)) == store.announcement_days(date(2000, 1, 1))
        assert peek.first_announcement_days() == store.first_announcement_days()
        assert peek.feed_states() == store.feed_states()
        assert peek.recent_runs(5) == store.recent_runs(5)
    peek.close()
