"""kb.atomic.write_atomic on real files: content, permissions, no temp file left, no half file ever seen."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from kb.atomic import WriteFailed, leftover_temps, write_atomic
from kb.errors import KbError, UsageError


def test_writes_the_bytes_and_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    write_atomic(path, b"first\n")
    assert path.read_bytes() == b"first\n"
    write_atomic(path, b"second\r\n")
    assert path.read_bytes() == b"second\r\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feeds.yaml"]


def test_the_targets_mode_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "private.md"
    path.write_bytes(b"x")
    for mode in (0o600, 0o640, 0o444):
        path.chmod(mode)
        write_atomic(path, b"y")
        assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.read_bytes() == b"y"


def test_a_new_file_gets_the_umasks_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.json", b"{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o640  # 0o666 less the umask, not 0o600


def test_a_refusal_before_the_rename_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_bytes(b"theirs")
    seen: list[bytes] = []

    def refuse() -> None:
        seen.extend(temp.read_bytes() for temp in leftover_temps(tmp_path))  # the new bytes, under a temp name
        raise UsageError("changed meanwhile")

    with pytest.raises(UsageError, match="changed meanwhile"):
        write_atomic(path, b"ours", before_replace=refuse)
    assert path.read_bytes() == b"theirs"
    assert seen == [b"ours"]
    assert leftover_temps(tmp_path) == []


def test_a_failed_rename_removes_the_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "index"
    target.mkdir()
    (target / "keep").write_bytes(b"")  # a folder where the file should go: the rename fails
    with pytest.raises(WriteFailed) as caught:
        write_atomic(target, b"data")
    assert isinstance(caught.value, KbError) and isinstance(caught.value, OSError)
    assert str(target) in str(caught.value)
    assert leftover_temps(tmp_path) == [] and target.is_dir()


def test_a_folder_that_is_a_file_is_a_kb_error_naming_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    folder.write_bytes(b"a file where the folder should be")
    with pytest.raises(WriteFailed, match=r"cannot write .*state/ranking\.json") as caught:
        write_atomic(folder / "ranking.json", b"{}")
    assert caught.value.errno == errno.ENOTDIR and caught.value.hint and "state" in caught.value.hint
    assert folder.read_bytes() == b"a file where the folder should be"


def test_a_full_disk_mid_write_keeps_the_old_file(tmp_path: Path) -> None:
    """RLIMIT_FSIZE makes write() fail part way, as a full disk would (and it works as root, unlike chmod)."""
    if sys.platform == "win32":
        pytest.skip("no RLIMIT_FSIZE on Windows")
    path = tmp_path / "notes.md"
    path.write_bytes(b"old words\n")
    script = textwrap.dedent(
        f"""
        import resource, signal, sys
        from pathlib import Path
        from kb.atomic import WriteFailed, write_atomic
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # make the write fail with EFBIG instead of killing us
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        try:
            write_atomic(Path({str(path)!r}), b"new words " * 100_000)
        except WriteFailed as error:
            print(error.errno, error.hint is not None)
            sys.exit(0)
        sys.exit("the write did not fail")
        """
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(errno.EFBIG), "True"]
    assert path.read_bytes() == b"old words\n"
    assert leftover_temps(tmp_path) == []


def test_exclusive_creation_refuses_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.md"
    write_atomic(path, b"created", exclusive=True)
    assert path.read_bytes() == b"created"
    with pytest.raises(WriteFailed) as caught:
        write_atomic(path, b"again", exclusive=True)
    assert caught.value.errno == errno.EEXIST
    assert path.read_bytes() == b"created" and leftover_temps(tmp_path) == []


def test_concurrent_writers_leave_one_whole_version(tmp_path: Path) -> None:
    path = tmp_path / "ranking.json"
    versions = [bytes([65 + n]) * 1_000_000 for n in range(6)]
    write_atomic(path, versions[0])
    seen: set[bytes] = set()
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.add(path.read_bytes())

    def write(version: bytes) -> None:
        for _ in range(5):
            write_atomic(path, version)

    reader = threading.Thread(target=read)
    writers = [threading.Thread(target=write, args=(version,)) for version in versions]
    reader.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    reader.join()
    assert seen <= set(versions) and seen  # every read met one writer's whole file
    assert path.read_bytes() in versions
    assert leftover_temps(tmp_path) == []


def test_leftover_temps_finds_what_a_killed_writer_leaves(tmp_path: Path) -> None:
    path = tmp_path / "kb-index.json"
    script = textwrap.dedent(
        f"""
        import os
        from pathlib import Path
        from kb.atomic import write_atomic
        write_atomic(Path({str(path)!r}), b"{{}}", before_replace=lambda: os._exit(9))  # killed before the rename
        """
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, "-c", script], env=env, timeout=60)
    assert done.returncode == 9
    (left,) = leftover_temps(tmp_path)
    assert left.name.startswith(".kb-") and "kb-index.json" in left.name and not path.exists()
