"""`kb import` takes files from elsewhere: what a merge accepts is bounded, and nothing in a file can harm the store."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kb.library import Library, init_workspace
from kb.models import Status
from tests.cli.test_cron import kb

ID = "arxiv:1706.03762"


def _import(tmp_path: Path, items: list[dict[str, object]] | str) -> tuple[Path, subprocess.CompletedProcess[str]]:
    root = tmp_path / "ws"
    init_workspace(root)
    file = tmp_path / "in.json"
    file.write_text(items if isinstance(items, str) else json.dumps({"kb_export": 1, "items": items}))
    return root, kb("import", str(file), root=root)


def _item(**fields: object) -> dict[str, object]:
    return {"id": ID, "status": "read", "status_changed": "2026-01-01T00:00:00+00:00", **fields}


def test_a_deeply_nested_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    _root, result = _import(tmp_path, "[" * 100_000 + "]" * 100_000)
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"tags": ["x" * 5_000_000]}, "tags[0]"),
        ({"tags": [f"t{n}" for n in range(100_000)]}, "100000 tags"),
        ({"id": "post:../../../etc/passwd"}, "not a kb post id"),
        ({"id": "post:"}, "not a kb post id"),
    ],
)
def test_what_a_merge_must_not_accept_is_one_line_and_nothing_imported(
    tmp_path: Path, fields: dict[str, object], said: str
) -> None:
    root, result = _import(tmp_path, [_item(**fields)])
    assert result.returncode == 2, result.stderr
    assert said in result.stderr and len(result.stderr.strip().splitlines()) == 1
    with Library.open(root) as library:
        assert library.item_or_none(ID) is None


def test_a_change_from_the_future_is_taken_as_now_with_a_warning(tmp_path: Path) -> None:
    before = datetime.now(UTC)
    root, result = _import(tmp_path, [_item(status_changed="2099-01-01T00:00:00+00:00")])
    assert result.returncode == 0, result.stderr
    assert "future" in result.stderr
    with Library.open(root) as library:
        item = library.item_or_none(ID)
        assert item is not None and item.status_changed is not None
        assert before <= item.status_changed <= datetime.now(UTC)
        assert library.set_status(ID, Status.NEW).status is Status.NEW  # a later change here still wins
