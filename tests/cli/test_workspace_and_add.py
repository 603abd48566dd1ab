"""`kb init`, how a workspace is found, `kb add`, and papers that notes link before kb has seen them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kb.cli.main import main
from kb.errors import WorkspaceNotFound
from kb.library import Library
from kb.paths import find_workspace
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import FIXTURES, arxiv_api, make_workspace

__all__ = ["http_server"]

ATTENTION = "arxiv-api/api2026_id_1706.03762_attention_is_all_you_need_v7.xml"
ASTRO = "arxiv-api/api2026_id_astro-ph_0601001_s0_m100_3150dca9dc76.xml"


def kb(*args: str, root: Path | None = None) -> Result:
    prefix = ["--root", str(root)] if root else []
    return CliRunner().invoke(main, [*prefix, *args], catch_exceptions=False)


def test_kb_init_creates_a_workspace_and_never_overwrites(tmp_path: Path) -> None:
    result = kb("init", str(tmp_path / "ws"))
    assert result.exit_code == 0
    root = tmp_path / "ws"
    assert (root / "feeds.yaml").is_file() and (root / "notes" / "README.md").is_file()
    assert ".kb/" in (root / ".gitignore").read_text()
    (root / "feeds.yaml").write_text("feeds: []\n")
    again = kb("init", str(root))
    assert "nothing changed" in again.stderr
    assert (root / "feeds.yaml").read_text() == "feeds: []\n"
    assert kb("list", root=root).exit_code == 0  # the new workspace works as it is


def test_a_workspace_is_found_by_root_then_kb_root_then_upwards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    kb("init", str(first))
    kb("init", str(second))
    deep = first / "notes" / "deep" / "er"
    deep.mkdir(parents=True)
    assert find_workspace(cwd=deep).root == first.resolve()
    monkeypatch.setenv("KB_ROOT", str(second))
    assert find_workspace(cwd=deep).root == second.resolve()
    assert find_workspace(first, cwd=deep).root == first.resolve()
    monkeypatch.delenv("KB_ROOT")
    with pytest.raises(WorkspaceNotFound, match="kb init"):
        find_workspace(cwd=tmp_path)


def test_kb_add_fetches_papers_by_id_or_url(tmp_path: Path, http_server: HttpServer) -> None:
    http_server.add_handler("/api/query", arxiv_api(FIXTURES, {"1706.03762": ATTENTION, "astro-ph/0601001": ASTRO}))
    root = make_workspace(tmp_path / "ws", http_server)
    result = kb("add", "https://arxiv.org/abs/1706.03762v5", root=root)
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["arxiv:1706.03762"]
    assert kb("add", "astro-ph/0601001", root=root).stdout.split() == ["arxiv:astro-ph/0601001"]
    assert http_server.requests_for("/api/query")[0].query["id_list"] == ["1706.03762"]  # the version dropped
    shown = json.loads(kb("show", "astro-ph/0601001", "--json", root=root).stdout)
    assert shown["sources"] == ["kb add"] and any(shown["affiliations"])
    assert kb("add", "not-an-id", root=root).exit_code == 2


def test_a_paper_a_note_links_is_known_at_once_and_fetched_at_the_next_fetch(
    tmp_path: Path, http_server: HttpServer
) -> None:
    http_server.add_handler("/api/query", arxiv_api(FIXTURES, {"1706.03762": ATTENTION}))
    root = make_workspace(tmp_path / "ws", http_server)
    (root / "notes" / "reading.md").write_text("Start with [[arxiv:1706.03762v2]].\n")
    with Library.open(root) as library:
        library.sync_notes()
        placeholder = library.get_item("1706.03762")
        assert not placeholder.has_metadata and placeholder.title == ""
        report = library.fetch()
        paper = library.get_item("1706.03762")
    assert "note links" in [outcome.source for outcome in report.outcomes]
    assert paper.has_metadata and paper.title == "Attention Is All You Need" and paper.version == 7
    shown = json.loads(kb("show", "1706.03762", "--json", root=root).stdout)
    assert shown["notes"] == ["reading.md"]


def test_kb_list_since_filters_on_the_date_the_rows_show(tmp_path: Path, http_server: HttpServer, corpus: Path) -> None:
    """A 2017 paper added today was first seen today, but its rows say 2017: --since 7d leaves it out."""
    http_server.add_handler("/api/query", arxiv_api(corpus, {"1706.03762": ATTENTION}))
    root = make_workspace(tmp_path / "ws", http_server)
    assert kb("add", "1706.03762", root=root).exit_code == 0
    row = kb("list", root=root).stdout
    assert "2017-" in row
    assert kb("list", "--since", "7d", root=root).stdout == ""
    assert kb("list", "--since", "2017-01-01", "--limit", "1", root=root).stdout == row
    assert kb("list", "--since", "2017-07-01", root=root).stdout == ""
    assert "the date the rows show" in kb("list", "--help").stdout
