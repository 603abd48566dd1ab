"""`search.engine` in feeds.yaml: the same answers on both engines, and a change rebuilds once, cleanly."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from kb.cli.main import main
from kb.cli.status import TANTIVY_HINT_AT, _index_lines
from kb.library import Library
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import FIXTURES, make_workspace

__all__ = ["http_server"]


def run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--root", str(root), *args], catch_exceptions=False)
    return result.exit_code, result.output


def set_engine(root: Path, engine: str) -> None:
    config = yaml.safe_load((root / "feeds.yaml").read_text(encoding="utf-8"))
    config["search"] = {"engine": engine}
    (root / "feeds.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def rebuilds(root: Path) -> int:
    return (root / ".kb" / "kb.log").read_text(encoding="utf-8").count("index missing or out of date")


def hits(root: Path, query: str) -> list[str]:
    code, out = run(root, "search", query, "--json")
    assert code in (0, 1), out
    return [hit["id"] for hit in json.loads(out)]


def test_changing_the_engine_rebuilds_once_with_the_same_answers(tmp_path: Path, http_server: HttpServer) -> None:
    http_server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
    root = make_workspace(tmp_path / "ws", http_server, categories=("cs.CL",))
    with Library.open(root) as library:
        library.fetch()
    queries = ["attention", "title:attention", '"attention is all you need"', "cat:cs.CL", "is:new"]
    on_whoosh = {q: hits(root, q) for q in queries}
    assert on_whoosh["attention"]
    before = rebuilds(root)

    set_engine(root, "tantivy")
    assert {q: hits(root, q) for q in queries} == on_whoosh  # the first command rebuilt for tantivy
    assert rebuilds(root) == before + 1
    _, out = run(root, "status", "--json")
    index = json.loads(out)["index"]
    assert (index["engine"], index["ok"], index["documents"]) == ("tantivy", True, index["expected"])
    assert index["bytes"] > 0
    assert hits(root, "attention") == on_whoosh["attention"]
    assert rebuilds(root) == before + 1  # once only
    assert len([p for p in (root / ".kb" / "index").iterdir() if p.is_dir()]) == 1  # the Whoosh one is gone

    set_engine(root, "whoosh")
    _, out = run(root, "status")
    assert "index (whoosh)" in out and "needs `kb reindex`" in out  # status reads; it does not rebuild
    assert len([p for p in (root / ".kb" / "index").iterdir() if p.is_dir()]) == 1  # nor drop the tantivy one
    assert hits(root, "attention") == on_whoosh["attention"]
    assert rebuilds(root) == before + 2


def test_status_suggests_tantivy_for_a_large_whoosh_index() -> None:
    index = {"documents": TANTIVY_HINT_AT, "expected": TANTIVY_HINT_AT, "ok": True, "engine": "whoosh", "bytes": 10**9}
    lines = _index_lines(index)
    assert lines[0] == f"index (whoosh): {TANTIVY_HINT_AT} of {TANTIVY_HINT_AT} documents, 1,000.0 MB on disk (ok)"
    assert "search: {engine: tantivy}" in lines[1] and "ms" in lines[1]
    assert len(_index_lines({**index, "documents": TANTIVY_HINT_AT - 1})) == 1
    assert len(_index_lines({**index, "engine": "tantivy"})) == 1
