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
