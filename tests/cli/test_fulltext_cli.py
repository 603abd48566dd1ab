"""`kb fulltext`, `kb show --json`'s fulltext and `kb status`'s full-text line (issue 14), through click."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kb.cli.main import main
from kb.library import Library
from tests.support.arxiv_fulltext import NOT_A_PDF, fulltext_workspace, seed_papers, serve_fulltexts
from tests.support.httpserver import HttpServer, http_server

__all__ = ["http_server"]


def _kb(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--root", str(root), *args], catch_exceptions=False)


@pytest.fixture
def root(tmp_path: Path, http_server: HttpServer, corpus: Path) -> Path:
    papers = serve_fulltexts(http_server, corpus)
    workspace = fulltext_workspace(tmp_path / "ws", http_server, {"for": []})
    with Library.open(workspace) as library:
        seed_papers(library, papers)
    return workspace


def test_fulltext_fetches_now_then_reports_it_held(root: Path) -> None:
    shown = json.loads(_kb(root, "show", "2501.11120", "--json").output)
    assert shown["fulltext"] is None
    first = _kb(root, "fulltext", "2501.11120v1", "https://arxiv.org/abs/2304.02623", "--json")
    assert first.exit_code == 0, first.output
    rows = json.loads(first.output)
    assert [(r["id"], r["ok"], r["fetched"], r["error"]) for r in rows] == [
        ("arxiv:2501.11120", True, True, None),
        ("arxiv:2304.02623", True, True, None),
    ]
    assert rows[0]["fulltext"]["source"] == "html" and rows[1]["fulltext"]["source"] == "pdf"
    assert set(rows[0]["fulltext"]) == {"source", "version", "sections", "bytes"}
    again = _kb(root, "fulltext", "2501.11120")
    assert again.exit_code == 0
    assert again.output.startswith("arxiv:2501.11120: already held: html v1, ")
    shown = json.loads(_kb(root, "show", "2501.11120", "--json").output)
    assert shown["fulltext"] == rows[0]["fulltext"]
    assert shown["fulltext"]["sections"] > 9 and shown["fulltext"]["bytes"] > 100_000
    kb_bytes = rows[0]["fulltext"]["bytes"] / 1024
    assert (
        f"full text: html v1, {rows[0]['fulltext']['sections']} sections, {kb_bytes:,.0f} KB"
        in _kb(root, "show", "2501.11120").output
    )


def test_fulltext_text_prints_markdown_for_grep(root: Path) -> None:
    result = _kb(root, "fulltext", "2501.11120", "--text")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "## 1 Introduction" in lines and "## References" in lines
    assert lines.index("## 1 Introduction") < lines.index("## 2 Out-of-context reasoning")
    assert r"$\varphi_{T}$" in result.output
    assert "\x1b" not in result.output


def test_a_paper_kb_cannot_get_is_one_line_and_exit_1(root: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(root), "fulltext", NOT_A_PDF, "2304.02623"])
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line]
    assert errors == [
        f"kb fulltext: arxiv:{NOT_A_PDF}: no HTML (HTTP 404 Not Found); PDF: not a PDF (it starts with '<html><body>')"
    ]
    assert result.stdout.startswith("arxiv:2304.02623: fetched: pdf v1, ")


@pytest.mark.parametrize(
    ("args", "status", "words"),
    [
        (["2501.11120", "--text", "--json"], 2, "cannot be combined"),
        (["not-an-id"], 2, "is not an arXiv id"),
        (["2612.99999"], 1, "no item 2612.99999"),
        ([], 2, "Missing argument"),
        (["post:0123456789ab"], 1, "no item post:0123456789ab"),
    ],
)
def test_usage_mistakes(root: Path, args: list[str], status: int, words: str) -> None:
    result = CliRunner().invoke(main, ["--root", str(root), "fulltext", *args])
    assert result.exit_code == status
    assert words in result.stderr and "Traceback" not in result.output


def test_a_running_fetch_makes_fulltext_wait_and_fail(root: Path) -> None:
    from filelock import FileLock

    with FileLock(str(root / ".kb" / "fetch.lock")):
        result = CliRunner().invoke(main, ["--root", str(root), "fulltext", "2501.11120"])
    assert result.exit_code == 1 and "another kb fetch is running" in result.stderr


def test_a_post_has_no_full_text(root: Path) -> None:
    from kb.models import Author, FetchedItem, Kind, post_id
    from tests.support.inside import store_of

    post = FetchedItem(
        id=post_id("blog", "g"),
        kind=Kind.POST,
        title="A post",
        summary="",
        url="https://e.org/p",
        authors=(Author("A"),),
        feed="blog",
        guid="g",
    )
    with Library.open(root) as library:
        store_of(library).upsert_items([post], "blog")
    result = CliRunner().invoke(main, ["--root", str(root), "fulltext", post.id])
    assert result.exit_code == 2 and "is not an arXiv paper" in result.stderr


def test_status_counts_the_texts(root: Path) -> None:
    assert _kb(root, "fulltext", "2501.11120", "2304.02623").exit_code == 0
    report = json.loads(_kb(root, "status", "--json").output)
    assert report["fulltext"]["count"] == 2
    assert 10_000 < report["fulltext"]["bytes"] < 200_000  # compressed
    assert report["fulltext"]["max_bytes"] == 2000 * 1024 * 1024
    text = _kb(root, "status").output
    assert f"full texts: 2 ({report['fulltext']['bytes'] / 2**20:,.1f} MB stored, fulltext.max_mb 2,000)" in text
