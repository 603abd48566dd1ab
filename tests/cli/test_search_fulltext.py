"""`kb search` on a paper's full text (issue 14): the section a body hit is in, in the text output and --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kb.cli.main import main
from kb.library import Library
from kb.models import FullText, FullTextSource, ItemFilter, Kind, Section, SectionKind
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import FIXTURES, make_workspace

__all__ = ["http_server"]


def run(root: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--root", str(root), *args], catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize("engine", ["whoosh", "tantivy"])
def test_a_body_hit_shows_its_section(tmp_path: Path, http_server: HttpServer, engine: str) -> None:
    http_server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
    root = make_workspace(tmp_path / "ws", http_server, categories=("cs.CL",))
    config = yaml.safe_load((root / "feeds.yaml").read_text(encoding="utf-8"))
    config["search"] = {"engine": engine}
    (root / "feeds.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    with Library.open(root) as library:
        library.fetch()
        paper = library.list_items(ItemFilter(kind=Kind.PAPER))[0]
        sections = (
            Section("Introduction", "Sequence models.", SectionKind.INTRODUCTION, "1"),
            Section(
                "Scaled Dot-Product Attention",
                "We scale by the square root of the quokka dimension.",
                SectionKind.METHOD,
                "3.2",
                2,
            ),
        )
        library.fulltexts.save(FullText(paper.id, FullTextSource.HTML, 1, sections))

    code, out = run(root, "search", "quokka", "--json")
    assert code == 0, out
    [hit] = json.loads(out)
    assert (hit["id"], hit["section"]) == (paper.id, "3.2 Scaled Dot-Product Attention")
    assert "«quokka»" in hit["snippet"]
    code, out = run(root, "search", "in:method", "quokka")
    assert code == 0
    assert "§ 3.2 Scaled Dot-Product Attention: " in out and "quokka" in out
    code, out = run(root, "search", "in:introduction", "quokka")
    assert code == 1
    code, out = run(root, "search", "in:nowhere", "quokka")
    assert code == 2 and "unknown section kind 'nowhere'" in out
    _, out = run(root, "search", paper.title.split()[0], "--json")
    assert all(hit["section"] is None for hit in json.loads(out))  # title and abstract matches name no section
