"""Notes at scale (issue 13): a rebuild indexes each note once, and a note over notes.max_index_kb is indexed
by its head, saying so in the note sync warning, `kb status` and `kb show`.

Timing belongs to benchmarks/notes.py (5k/20k/50k notes); here the behaviour is checked through real `kb`
processes on a real workspace.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.cli.test_cron import kb
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import make_workspace

__all__ = ["http_server"]

FILLER = "plain words " * 400  # about 4.8 KB


def _workspace(tmp_path: Path, server: HttpServer, cap_kb: int | None = 2) -> Path:
    extra = {"notes": {"max_index_kb": cap_kb}} if cap_kb is not None else None
    root = make_workspace(tmp_path / "ws", server, extra=extra)
    notes = root / "notes"
    (notes / "big.md").write_text(
        f"---\ntitle: Big\n---\nzyzzyva early on.\n{FILLER}\nquokkafish only at the end, with [[arxiv:1706.03762]].\n"
    )
    (notes / "small.md").write_text("---\ntitle: Small\n---\nquokkafish in a small note.\n")
    return root


def test_a_note_over_the_cap_is_searchable_by_its_head_and_kb_says_so(tmp_path: Path, http_server: HttpServer) -> None:
    root = _workspace(tmp_path, http_server)
    listed = kb("notes", root=root)
    assert listed.returncode == 0, listed.stderr
    warning = [line for line in listed.stderr.splitlines() if "big.md" in line]
    assert warning and "notes.max_index_kb" in warning[0] and "2 KB" in warning[0], listed.stderr
    assert "small.md" not in listed.stderr
    for _ in range(2):  # as the notes sync left it, then after a full rebuild
        early = kb("search", "zyzzyva", "--json", root=root)
        assert [hit["id"] for hit in json.loads(early.stdout)] == ["note:big.md"], early.stdout
        late = kb("search", "quokkafish", "--json", root=root)
        assert [hit["id"] for hit in json.loads(late.stdout)] == ["note:small.md"]  # past big.md's head
        assert kb("reindex", root=root).returncode == 0
    status = kb("status", "--json", root=root)
    assert json.loads(status.stdout)["notes_indexed_by_head"] == ["big.md"]
    assert "searchable by their head only: big.md" in kb("status", root=root).stdout
    shown = json.loads(kb("show", "big.md", "--json", root=root).stdout)
    assert shown["indexed_kb"] == 2
    assert shown["papers"] == ["arxiv:1706.03762"]  # a link past the head still counts: the file is not cut
    assert "notes.max_index_kb" in kb("show", "big.md", root=root).stdout
    assert json.loads(kb("show", "small.md", "--json", root=root).stdout)["indexed_kb"] is None


def test_the_default_cap_indexes_a_note_of_a_few_kb_whole(tmp_path: Path, http_server: HttpServer) -> None:
    root = _workspace(tmp_path, http_server, cap_kb=None)
    listed = kb("notes", root=root)
    assert listed.returncode == 0 and listed.stderr == "", listed.stderr
    late = kb("search", "quokkafish", "--json", root=root)
    assert sorted(hit["id"] for hit in json.loads(late.stdout)) == ["note:big.md", "note:small.md"]
    assert json.loads(kb("status", "--json", root=root).stdout)["notes_indexed_by_head"] == []


def test_a_cap_that_is_not_a_positive_number_is_one_line(tmp_path: Path, http_server: HttpServer) -> None:
    for bad in (0, "big"):
        root = _workspace(tmp_path / str(bad), http_server, cap_kb=bad)  # type: ignore[arg-type]
        result = kb("status", root=root)
        assert result.returncode == 2, result.stderr
        assert "notes.max_index_kb" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_a_rebuild_indexes_new_notes_once_not_again_in_the_catch_up(tmp_path: Path, http_server: HttpServer) -> None:
    root = _workspace(tmp_path, http_server)
    for number in range(30):
        (root / "notes" / f"n{number}.md").write_text(f"# Note {number}\n\n[[big]] and more.\n")
    assert kb("reindex", root=root).returncode == 0
    log = (root / ".kb" / "kb.log").read_text()
    found = re.findall(r"reindex: (\d+) documents; (\d+) changed while it ran", log)
    assert len(found) == 1 and int(found[0][0]) >= 32, log
    assert found[0][1] == "0", log  # each note written once: the note cache's queue rows were covered
