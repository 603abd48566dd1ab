"""A store that vanished is noticed, triage never lives only in the -wal, and `kb doctor` is the way out."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from tests.cli.test_cron import kb
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import FIXTURES, make_workspace

__all__ = ["http_server"]

PAPER = "arxiv:1706.03762"


def _fetched(tmp_path: Path, server: HttpServer) -> Path:
    server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
    root = make_workspace(tmp_path / "ws", server, categories=("cs.CL",))
    result = kb("fetch", "-q", root=root)
    assert result.returncode == 0, result.stderr
    return root


def _remove_store(root: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{root / '.kb' / 'kb.sqlite'}{suffix}").unlink(missing_ok=True)


def test_a_missing_store_is_one_line_exit_2_until_the_person_says_start_afresh(
    tmp_path: Path, http_server: HttpServer
) -> None:
    root = _fetched(tmp_path, http_server)
    assert kb("star", "1706.03762", root=root).returncode == 0
    _remove_store(root)
    for command in (("status",), ("list",), ("fetch", "-q"), ("doctor",)):
        result = kb(*command, root=root)
        assert result.returncode == 2, (command, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "missing" in lines[0] and "kb doctor --new-store" in lines[0]
    assert not (root / ".kb" / "kb.sqlite").exists()  # refused, not silently recreated
    fresh = kb("doctor", "--new-store", root=root)
    assert fresh.returncode == 0, fresh.stderr
    assert kb("status", root=root).returncode == 0


def test_a_cli_triage_change_is_in_the_store_file_not_only_in_the_wal(tmp_path: Path, http_server: HttpServer) -> None:
    root = _fetched(tmp_path, http_server)
    database = root / ".kb" / "kb.sqlite"
    holder = sqlite3.connect(database)  # another process (the TUI) keeps the store open: no checkpoint on close
    try:
        holder.execute("SELECT count(*) FROM item").fetchone()
        assert kb("star", "1706.03762", root=root).returncode == 0
        copy = tmp_path / "file-only.sqlite"
        shutil.copyfile(database, copy)  # the store file alone, as if the -wal had been deleted
    finally:
        holder.close()
    with sqlite3.connect(copy) as conn:
        (starred,) = conn.execute("SELECT starred FROM triage WHERE item_id = ?", (PAPER,)).fetchone()
    assert starred == 1


def test_doctor_on_a_sound_store_says_so_and_rebuilds_the_index(tmp_path: Path, http_server: HttpServer) -> None:
    root = _fetched(tmp_path, http_server)
    result = kb("doctor", root=root)
    assert result.returncode == 0, result.stderr
    assert "integrity_check ok" in result.stdout and "index: rebuilt" in result.stdout


def test_doctor_salvages_a_scribbled_store_and_keeps_the_damaged_file(tmp_path: Path, http_server: HttpServer) -> None:
    root = _fetched(tmp_path, http_server)
    assert kb("star", "1706.03762", root=root).returncode == 0
    database = root / ".kb" / "kb.sqlite"
    with sqlite3.connect(database) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    with database.open("r+b") as file:  # scribble over the last page: a table's data, not the header
        file.seek((pages - 1) * page)
        file.write(b"\xde\xad\xbe\xef" * (page // 4))
    result = kb("doctor", root=root)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "damaged" in result.stdout and "rows copied" in result.stdout
    kept = [path for path in (root / ".kb").glob("kb.sqlite.damaged-*") if not path.name.endswith(("-wal", "-shm"))]
    assert len(kept) == 1 and kept[0].read_bytes()[-4:] == b"\xde\xad\xbe\xef"
    with sqlite3.connect(database) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    listed = kb("list", "--json", root=root)
    assert listed.returncode == 0, listed.stderr
    assert kb("doctor", root=root).returncode == 0  # sound now
