"""`kb citations` and the citation parts of other commands as real processes: --json keys, -q, exit statuses,
`kb why`, `cites:` in `kb search`, hostile titles from Semantic Scholar printed inert."""

from __future__ import annotations

import json
from pathlib import Path

from tests.reliability.helpers import assert_inert, kb
from tests.reliability.hostile import HOSTILE
from tests.support.httpserver import HttpServer, http_server
from tests.support.s2_server import citation_world

__all__ = ["http_server"]

KEYS = ["id", "title", "fetched_at", "refreshed", "complete", "not_found", "error", "references", "citations"]
LINK_KEYS = ["title", "arxiv_id", "doi", "s2_id", "year", "in_workspace"]


def test_json_quiet_and_text(tmp_path: Path, http_server: HttpServer, corpus: Path) -> None:
    world = citation_world(tmp_path, http_server, corpus)
    first = world.starred[0].removeprefix("arxiv:")
    quiet = kb("citations", first, "-q", root=world.root)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    result = kb("citations", first, "--json", root=world.root)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == KEYS and data["id"] == world.starred[0] and data["refreshed"] is False  # cached by -q
    assert [list(link) for link in data["citations"]] == [LINK_KEYS] * 4
    inside = [link["arxiv_id"] for link in data["citations"] if link["in_workspace"]]
    assert inside == [world.both.removeprefix("arxiv:"), world.one.removeprefix("arxiv:")]
    text = kb("citations", first, "--limit", "1", root=world.root)
    assert text.returncode == 0 and "Cited by (4, 2 in this workspace marked *):" in text.stdout
    assert "... 3 more" in text.stdout
    refreshed = kb("citations", first, "--refresh", "--json", root=world.root)
    assert json.loads(refreshed.stdout)["refreshed"] is True


def test_bad_ids_and_an_unreachable_api_are_one_line(tmp_path: Path, http_server: HttpServer, corpus: Path) -> None:
    world = citation_world(tmp_path, http_server, corpus)
    usage = kb("citations", "post:abc", root=world.root)
    assert usage.returncode == 2 and usage.stderr.count("\n") == 1 and "not an arXiv id" in usage.stderr
    missing = kb("citations", "0000.00001", root=world.root)
    assert missing.returncode == 0 and "does not know this paper" in missing.stdout
    config = (world.root / "feeds.yaml").read_text()
    (world.root / "feeds.yaml").write_text(config.replace(http_server.url("/graph/v1"), "http://127.0.0.1:9/graph/v1"))
    down = kb("citations", world.cited, root=world.root)
    assert down.returncode == 1 and down.stderr.count("\n") == 1 and down.stderr.startswith("kb: Semantic Scholar")
    cron = kb("fetch", "-q", root=world.root)  # a dead Semantic Scholar is the log's business, not cron's
    assert (cron.returncode, cron.stdout, cron.stderr) == (0, "", "")
    log = (world.root / ".kb" / "kb.log").read_text()
    assert len([line for line in log.splitlines() if "citations due=" in line and "FAILED" in line]) == 1


def test_search_and_why_from_the_command_line(tmp_path: Path, http_server: HttpServer, corpus: Path) -> None:
    world = citation_world(tmp_path, http_server, corpus, engine="tantivy")
    assert kb("fetch", "-q", root=world.root).returncode == 0
    found = kb("search", f"cites:{world.starred[0]}", "--json", root=world.root)
    assert found.returncode == 0, found.stderr
    assert {hit["id"] for hit in json.loads(found.stdout)} == {world.both, world.one}
    bad = kb("search", "cites:nonsense", root=world.root)
    assert bad.returncode == 2 and "cites: needs an arXiv id" in bad.stderr
    why = kb("why", world.both, root=world.root)
    assert why.returncode == 0 and why.stdout.startswith("+ cites 2 of your starred papers (")


def test_hostile_titles_from_semantic_scholar_print_inert(
    tmp_path: Path, http_server: HttpServer, corpus: Path
) -> None:
    world = citation_world(tmp_path, http_server, corpus, hostile=HOSTILE)
    shown = kb("citations", world.starred[0], "--limit", "100", root=world.root)
    assert shown.returncode == 0, shown.stderr
    assert_inert(shown.stdout, "kb citations")
    data = json.loads(kb("citations", world.starred[0], "--json", root=world.root).stdout)
    assert [link["title"] for link in data["references"][1:]] == list(HOSTILE)  # stored faithfully
