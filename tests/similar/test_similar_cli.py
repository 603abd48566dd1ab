"""`kb similar`: from a paper, from a note (the papers like those it links), both engines, JSON and errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kb.cli.main import main
from kb.fetchers.arxiv_atom import parse_api_response
from kb.library import Library, init_workspace
from kb.models import FetchedItem
from tests.support.inside import store_of

CONDENSED = ("arxiv:1301.7746", "arxiv:1111.2011", "arxiv:cond-mat/0607501")


def corpus_items(corpus: Path) -> list[FetchedItem]:
    seen: dict[str, FetchedItem] = {}
    for path in sorted((corpus / "arxiv-api").glob("*.xml")):
        for paper in parse_api_response(path.read_bytes()).papers:
            seen.setdefault(paper.id, paper)
    return list(seen.values())


@pytest.fixture(params=["whoosh", "tantivy"])
def workspace(request: pytest.FixtureRequest, tmp_path: Path, corpus: Path) -> Path:
    root = tmp_path / "ws"
    init_workspace(root)
    (root / "feeds.yaml").write_text(yaml.safe_dump({"search": {"engine": request.param}}), encoding="utf-8")
    with Library.open(root) as library:
        store_of(library).upsert_items(corpus_items(corpus), "seed")
    (root / "notes" / "phases.md").write_text(
        "---\ntitle: Quantum phases\npapers: [arxiv:1301.7746]\n---\nReading about disordered phases.\n",
        encoding="utf-8",
    )
    return root


def run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--root", str(root), *args])
    return result.exit_code, result.stdout, result.stderr


def test_similar_papers_with_the_words_they_share(workspace: Path) -> None:
    code, out, _ = run(workspace, "similar", "1111.2011", "--json", "--limit", "4")
    assert code == 0
    data = json.loads(out)
    assert data["source"] == "1111.2011" and data["based_on"] == ["arxiv:1111.2011"]
    ids = [hit["id"] for hit in data["results"]]
    assert "arxiv:1111.2011" not in ids and len(ids) <= 4
    assert set(ids[:2]) == {"arxiv:1301.7746", "arxiv:cond-mat/0607501"}
    first = data["results"][0]
    assert {"id", "kind", "title", "score", "shared", "snippet", "authors", "status"} <= set(first)
    assert first["shared"] and set(first["shared"]) <= set(data["terms"])
    code, text, _ = run(workspace, "similar", "arxiv:1111.2011")
    assert code == 0 and "shares: " in text and "1111.2011  " not in text


def test_from_a_note_papers_like_those_it_links(workspace: Path) -> None:
    for name in ("phases.md", "note:phases.md", "notes/phases.md"):
        code, out, err = run(workspace, "similar", name, "--json")
        assert code == 0, err
        data = json.loads(out)
        assert data["based_on"] == ["arxiv:1301.7746"]
        ids = [hit["id"] for hit in data["results"]]
        assert "arxiv:1301.7746" not in ids and "note:phases.md" not in ids  # what it links, and itself
        assert all(hit["kind"] == "paper" for hit in data["results"])
        assert set(ids[:2]) == {"arxiv:1111.2011", "arxiv:cond-mat/0607501"}


def test_unknown_sources_are_one_line_errors(workspace: Path) -> None:
    code, _, err = run(workspace, "similar", "2999.99999")
    assert code == 1 and err.count("\n") == 1 and "no item" in err
    code, _, err = run(workspace, "similar", "nowhere.md")
    assert code == 1 and err.count("\n") == 1 and "no note" in err
    code, _, err = run(workspace, "similar", "1111.2011", "--limit", "0")
    assert code == 2
