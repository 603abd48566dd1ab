"""`kb list --sort foryou` and `kb why ID` through click's runner on a real workspace."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from kb.cli.main import main
from kb.library import Library
from tests.ranking.helpers import day, liked_and_disliked, paper
from tests.support.inside import store_of


def kb(root: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--root", str(root), *args], catch_exceptions=False)


def history(root: Path) -> tuple[str, str]:
    """The liked/disliked history and two new papers: ids (disliked and newer, liked)."""
    with Library.open(root) as library:
        liked_and_disliked(store_of(library))
        disliked = paper(901, "Malware detection survey", categories=("cs.CR",), authors=("Dee Evans",), published=40)
        liked = paper(900, "Latent diffusion models", authors=("Jonathan Ho",), categories=("cs.CV",), published=39)
        store_of(library).upsert_items([liked, disliked], "test", now=day(41))
    return disliked.id, liked.id


def ids(output: str) -> list[str]:
    return [line.split()[3] for line in output.splitlines()]


def test_list_sorts_for_you_and_limits_after_ranking(workspace: Path) -> None:
    disliked, liked = history(workspace)
    newest = kb(workspace, "list", "--status", "new")
    assert newest.exit_code == 0 and [line.split()[2] for line in newest.output.splitlines()] == [disliked, liked]
    ranked = kb(workspace, "list", "--status", "new", "--sort", "foryou")
    assert ranked.exit_code == 0, ranked.output
    assert ids(ranked.output) == [liked, disliked]
    score = float(ranked.output.split()[0])
    assert 0.5 < score <= 1
    top = kb(workspace, "list", "--status", "new", "--sort", "foryou", "--limit", "1")
    assert ids(top.output) == [liked]


def test_list_json_has_score_and_why(workspace: Path) -> None:
    disliked, liked = history(workspace)
    result = kb(workspace, "list", "--status", "new", "--sort", "foryou", "--json")
    data = json.loads(result.output)
    assert [entry["id"] for entry in data] == [liked, disliked]
    assert data[0]["score"] > data[1]["score"]
    assert "author Ho J." in data[0]["why"]
    assert {"title", "status", "starred"} <= set(data[0])
    plain = json.loads(kb(workspace, "list", "--json").output)
    assert "score" not in plain[0]


def test_why_prints_one_line(workspace: Path) -> None:
    _, liked = history(workspace)
    result = kb(workspace, "why", liked.removeprefix("arxiv:"))
    assert result.exit_code == 0
    assert result.output.count("\n") == 1 and "+ diffusion" in result.output and "+ author Ho J." in result.output
    data = json.loads(kb(workspace, "why", liked, "--json").output)
    assert data["id"] == liked and 0.5 < data["score"] <= 1 and data["why"] == result.output.strip()


def test_why_on_a_fresh_workspace_says_newest_first(workspace: Path) -> None:
    with Library.open(workspace) as library:
        store_of(library).upsert_items([paper(1, "A paper")], "test", now=day(0))
    result = kb(workspace, "why", "2611.00001")
    assert result.exit_code == 0 and result.output.startswith("newest first: kb learns your taste")


def test_why_errors_are_one_line(workspace: Path) -> None:
    missing = CliRunner().invoke(main, ["--root", str(workspace), "why", "2611.00404"])
    assert missing.exit_code == 1 and missing.output.startswith("kb: no item 2611.00404")
    assert "Traceback" not in missing.output
    bad = CliRunner().invoke(main, ["--root", str(workspace), "why", "not-an-id"])
    assert bad.exit_code == 2 and bad.output.count("\n") == 1
    sort = CliRunner().invoke(main, ["--root", str(workspace), "list", "--sort", "best"])
    assert sort.exit_code == 2 and "foryou" in sort.output
