"""`kb import-bib`: a Zotero library (BibTeX and CSL JSON exports) brought in through the real arXiv fetch path.

The arXiv API is a loopback server answering id look-ups with the recorded corpus entries
(tests/support/arxiv_ids.py); the store and the index are real. The exports are Zotero-shaped fixtures
(tests/fixtures/zotero), written from Zotero's BibTeX and CSL JSON output.
"""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from kb.cli.main import main
from kb.library import Library
from kb.models import Status
from tests.support.arxiv_ids import IdListApi
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import FIXTURES, make_workspace

__all__ = ["http_server"]

BIB = FIXTURES / "zotero" / "library.bib"
CSL = FIXTURES / "zotero" / "library.json"
MATCHED = {"arxiv:1706.03762", "arxiv:1707.08567", "arxiv:astro-ph/0601001"}


def kb(*args: str, root: Path) -> Result:
    return CliRunner().invoke(main, ["--root", str(root), *args], catch_exceptions=False)


def _workspace(tmp_path: Path, server: HttpServer, corpus: Path) -> tuple[Path, IdListApi]:
    api = IdListApi(corpus)
    server.add_handler("/api/query", api)
    return make_workspace(tmp_path / "ws", server), api


def test_a_zotero_bibtex_export_is_fetched_marked_read_and_tagged(
    tmp_path: Path, http_server: HttpServer, corpus: Path
) -> None:
    root, api = _workspace(tmp_path, http_server, corpus)
    result = kb("import-bib", str(BIB), root=root)
    assert result.exit_code == 1, result.output  # arXiv does not know one of the ids
    assert set(result.stdout.split()) == MATCHED
    assert "not imported: goodfellow_deep_2016 (line 37): no arXiv id" in result.stderr
    assert "not imported: pubmed_2020 (line 53): its eprint is a pubmed id, not an arXiv one" in result.stderr
    lines = [line for line in result.stderr.splitlines() if "not imported:" in line]
    assert [line.split("(line ")[1][:2] for line in lines] == ["37", "47", "53"]  # in file order
    assert "not imported: nobody_unknown_2099 (line 47): arXiv does not know arxiv:0000.00001" in result.stderr
    assert "6 entries, 3 matched to arXiv: 3 fetched, 3 marked" in result.stderr
    assert sorted(api.asked) == ["0000.00001", "1706.03762", "1707.08567", "astro-ph/0601001"]
    with Library.open(root) as library:
        attention = library.get_item("1706.03762")
        assert attention.title == "Attention Is All You Need" and attention.has_metadata
        assert attention.status is Status.READ and not attention.starred
        assert attention.tags == (
            "computer science - computation and language",
            "computer science - machine learning",
            "transformers",
        )
        assert "kb import-bib" in attention.sources
        assert library.get_item("astro-ph/0601001").status is Status.READ
        assert {h.id for h in library.search("tag:transformers").hits} == {"arxiv:1706.03762"}  # the index followed


def test_importing_twice_changes_nothing_and_says_so(tmp_path: Path, http_server: HttpServer, corpus: Path) -> None:
    root, api = _workspace(tmp_path, http_server, corpus)
    kb("import-bib", str(BIB), root=root)
    with Library.open(root) as library:
        before = {i: library.get_item(i) for i in MATCHED}
    asked = len(api.asked)
    again = kb("import-bib", str(BIB), "--json", root=root)
    report = json.loads(again.stdout)
    assert report["added"] == [] and report["marked"] == [] and sorted(report["unchanged"]) == sorted(MATCHED)
    assert api.asked[asked:] == ["0000.00001"]  # only the id arXiv did not know is asked again
    text = kb("import-bib", str(BIB), root=root)
    assert text.stdout == "" and "nothing changed" in text.stderr
    with Library.open(root) as library:
        assert {i: library.get_item(i) for i in MATCHED} == before


def test_star_keeps_tags_a_person_added_and_the_csl_json_export_matches_by_doi(
    tmp_path: Path, http_server: HttpServer, corpus: Path
) -> None:
    root, _ = _workspace(tmp_path, http_server, corpus)
    assert kb("add", "1706.03762", root=root).exit_code == 0
    assert kb("tag", "1706.03762", "mine", root=root).exit_code == 0
    result = kb("import-bib", str(CSL), "--star", "--json", root=root)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"file", "entries", "matched", "added", "marked", "unchanged", "unmatched", "error"}
    assert report["entries"] == 3 and report["matched"] == 2
    assert report["added"] == ["arxiv:1605.08386"]  # the one kb did not hold; 1706.03762 is not fetched again
    assert sorted(report["marked"]) == ["arxiv:1605.08386", "arxiv:1706.03762"]
    assert report["unmatched"] == [
        {
            "key": "http://zotero.org/users/local/AbCdEfGh/items/POIUYT56",
            "line": None,
            "reason": report["unmatched"][0]["reason"],
        }
    ]
    with Library.open(root) as library:
        attention = library.get_item("1706.03762")
        assert attention.starred and attention.status is Status.READ
        assert "mine" in attention.tags and "computer science - machine learning" in attention.tags
        assert library.get_item("1605.08386").tags == ("markov chains",)


def test_a_malformed_file_is_one_line_naming_its_line_and_exit_2(
    tmp_path: Path, http_server: HttpServer, corpus: Path
) -> None:
    root, api = _workspace(tmp_path, http_server, corpus)
    broken = tmp_path / "broken.bib"
    text = BIB.read_text().replace(
        "\tyear = {2017},\n\tkeywords = {Computer Science - Information", "\tyear = {2017,\n\tkeywords = {C"
    )
    broken.write_text(text)
    result = kb("import-bib", str(broken), root=root)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"kb: {broken}:17: malformed BibTeX") and result.stderr.count("\n") == 1
    bad_json = tmp_path / "export.json"
    bad_json.write_text('[\n  {"id": "a",\n   "title": "x"\n  \n')
    result = kb("import-bib", str(bad_json), root=root)
    assert result.exit_code == 2 and result.stderr.startswith(f"kb: {bad_json}:5: not valid JSON")
    empty = tmp_path / "notes.bib"
    empty.write_text("just some words, no entries\n")
    assert kb("import-bib", str(empty), root=root).exit_code == 2
    missing = kb("import-bib", str(tmp_path / "nope.bib"), root=root)
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    assert api.asked == []  # nothing fetched, nothing stored
    with Library.open(root) as library:
        assert library.items(sorted(MATCHED)) == []
