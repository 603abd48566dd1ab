"""Machine state no command may be broken by: an unwritable log, a read-only workspace, a full disk.

Tests run as root in CI, where chmod stops nothing, so each state is made in a way that fails for root too:
kb.log replaced by a folder, a read-only bind mount, a 2 MB tmpfs filled to the last byte. The mounts need
CAP_SYS_ADMIN; without it those tests are skipped, saying so.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.test_cron import kb
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import FIXTURES, make_workspace

__all__ = ["http_server"]


def _workspace(root: Path, server: HttpServer) -> Path:
    server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
    return make_workspace(root, server, categories=("cs.CL",))


def _mount(*args: str) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount here ({result.stderr.strip() or 'mount failed'}): needs root with CAP_SYS_ADMIN")


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB filesystem of its own, so that filling it fills nothing else."""
    where = tmp_path / f"tmpfs-{uuid.uuid4().hex[:6]}"
    where.mkdir()
    _mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(where))
    yield where
    _umount(where)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def test_a_log_that_cannot_be_opened_does_not_stop_a_command(tmp_path: Path, http_server: HttpServer) -> None:
    root = _workspace(tmp_path / "ws", http_server)
    log = root / ".kb" / "kb.log"
    log.parent.mkdir(exist_ok=True)
    log.mkdir()  # unopenable even for root (as a root-owned file is for its owner after `sudo kb fetch`)
    fetched = kb("fetch", "-q", root=root)
    assert fetched.returncode == 0, fetched.stderr
    lines = fetched.stderr.strip().splitlines()
    assert len(lines) == 1 and "kb.log" in lines[0] and "Traceback" not in fetched.stderr
    listed = kb("list", "--json", root=root)
    assert listed.returncode == 0 and '"arxiv:1706.03762"' in listed.stdout


def test_reads_work_on_a_read_only_workspace_and_a_write_is_one_line(tmp_path: Path, http_server: HttpServer) -> None:
    root = _workspace(tmp_path / "ws", http_server)
    assert kb("fetch", "-q", root=root).returncode == 0
    assert kb("search", "attention", root=root).returncode == 0  # the index is built while it can be
    _mount("--bind", str(root), str(root))
    try:
        _mount("-o", "remount,bind,ro", str(root))
        listed = kb("list", "--json", root=root)
        assert listed.returncode == 0, listed.stderr
        assert '"arxiv:1706.03762"' in listed.stdout
        assert kb("status", root=root).returncode == 0
        starred = kb("star", "1706.03762", root=root)
        assert starred.returncode in (1, 2), starred.stderr
        assert "Traceback" not in starred.stderr and "internal error" not in starred.stderr
        assert "read-only" in starred.stderr.lower()
    finally:
        _umount(root)
    assert '"starred": false' in kb("show", "1706.03762", "--json", root=root).stdout


def test_a_full_disk_is_one_line_and_exit_1_and_heals_when_space_returns(tmpfs: Path, http_server: HttpServer) -> None:
    root = _workspace(tmpfs / "ws", http_server)
    assert kb("fetch", "-q", root=root).returncode == 0
    http_server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v8.xml")
    filler = _fill(tmpfs)
    fetched = kb("fetch", "-q", root=root)
    assert fetched.returncode == 1, fetched.stderr
    assert "Logging error" not in fetched.stderr and "Traceback" not in fetched.stderr
    assert len(fetched.stderr.strip().splitlines()) <= 2, fetched.stderr  # the log's line and the store's
    filler.unlink()
    again = kb("fetch", "-q", root=root)
    assert again.returncode == 0, again.stderr
    listed = kb("list", "--json", root=root)
    assert '"arxiv:1706.03762"' in listed.stdout
    wal = root / ".kb" / "kb.sqlite-wal"
    assert not wal.exists() or wal.stat().st_size < 1_000_000


def _one_line_exit_1(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def _tree(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def test_with_the_disk_still_full_every_command_is_one_line_and_nothing_is_rebuilt_or_moved(
    tmpfs: Path, http_server: HttpServer
) -> None:
    root = _workspace(tmpfs / "ws", http_server)
    assert kb("fetch", "-q", root=root).returncode == 0
    assert kb("search", "attention", root=root).returncode == 0
    http_server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v8.xml")
    store = root / ".kb" / "kb.sqlite"
    before = store.read_bytes()
    index_before = _tree(root / ".kb" / "index")
    filler = _fill(tmpfs)
    assert kb("fetch", "-q", root=root).returncode == 1
    for command in (["search", "attention"], ["status"], ["list"], ["show", "1706.03762"], ["doctor"]):
        result = kb(*command, root=root)
        if result.returncode == 0:
            # A read needs no room: `kb search` and `kb status` read a settled store read-only (kb.store.peek),
            # and once that has left the WAL's -shm beside the store, the Store opens for reading too.
            assert result.stderr == "" and result.stdout, (command, result.stderr)
            continue
        line = _one_line_exit_1(result)
        # names the file and the cause (`kb doctor`, past a store it could read, stops at the index it rebuilds)
        assert ("kb.sqlite" in line and "free" in line) or ("index" in line and "No space left" in line), line
    assert store.read_bytes() == before  # no salvage moved a sound store aside for a full disk
    assert not [path for path in store.parent.iterdir() if "salvaged" in path.name or "damaged" in path.name]
    assert _tree(root / ".kb" / "index") == index_before  # search did not start a rebuild
    filler.unlink()
    # `kb list` last: it opens the Store, whose close removes the -wal and -shm (a read-only `kb search` or
    # `kb status` may leave SQLite's empty -wal and -shm of a WAL store behind, as any open reader does).
    for command in (["status"], ["search", "attention"], ["list"]):
        healed = kb(*command, root=root)
        assert healed.returncode == 0 and healed.stderr == "", (command, healed.stderr)
    leftovers = [store.with_name(store.name + suffix) for suffix in ("-wal", "-shm")]
    assert not [path for path in leftovers if path.exists()]  # the failed runs' -wal and -shm are cleaned up
    assert kb("fetch", "-q", root=root).returncode == 0
    assert "arxiv:1706.03762" in kb("search", "attention", root=root).stdout


def test_a_rebuild_that_meets_a_full_disk_is_one_line_and_heals(tmpfs: Path, http_server: HttpServer) -> None:
    """The index gone and only a little room left: each search either works or says so in one line."""
    root = _workspace(tmpfs / "ws", http_server)
    assert kb("fetch", "-q", root=root).returncode == 0
    index = root / ".kb" / "index"
    subprocess.run(["rm", "-rf", str(index)], check=True)
    filler = _fill(tmpfs)
    outcomes = []
    for _ in range(10):  # free 16 KB more each time: the rebuild fails at a different point each time
        os.truncate(filler, max(0, filler.stat().st_size - 16 * 1024))
        searched = kb("search", "attention", root=root)
        outcomes.append(searched.returncode)
        if searched.returncode == 0:
            break
        line = _one_line_exit_1(searched)
        assert "No space left" in line or "free" in line, line
    assert 1 in outcomes  # the disk did stop a rebuild (else this test proves nothing)
    filler.unlink()
    searched = kb("search", "attention", root=root)
    assert searched.returncode == 0 and "arxiv:1706.03762" in searched.stdout, searched.stderr
    generations = [path for path in index.iterdir() if path.is_dir()]
    assert len(generations) == 1, generations  # the unfinished ones were removed
